namespace PaliCuda.Native.Blas;

/// <summary>The outcome of <see cref="CublasLibrary.Probe"/> or <see cref="CublasLtLibrary.Probe"/>.</summary>
/// <param name="Available">True when the library loaded and reported its version.</param>
/// <param name="LoadedFrom">The file name (loader path) or full path that loaded, e.g. <c>libcublas.so.11</c>; null if none.</param>
/// <param name="Version">The library version (major.minor.patch); null if not loaded.</param>
/// <param name="Reason">Why it is unavailable, or a one-line summary when available.</param>
public sealed record CublasAvailability(bool Available, string? LoadedFrom, Version? Version, string Reason)
{
    /// <summary>Just the file name of what loaded, e.g. <c>libcublas.so.11</c>.</summary>
    public string? FileName => LoadedFrom is null ? null : Path.GetFileName(LoadedFrom);
}
