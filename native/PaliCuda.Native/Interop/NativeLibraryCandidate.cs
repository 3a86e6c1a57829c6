namespace PaliCuda.Native.Interop;

/// <summary>One place to try loading a native library from: a bare file name (the loader's search path) or a full path.</summary>
/// <param name="FileName">The library's file name, e.g. <c>libcublas.so.12</c>.</param>
/// <param name="Directory">The folder to look in, or null for the platform loader's search path.</param>
internal sealed record NativeLibraryCandidate(string FileName, string? Directory)
{
    /// <summary>What to hand to the loader.</summary>
    public string LoadPath => Directory is null ? FileName : Path.Combine(Directory, FileName);

    /// <summary>Where the candidate was looked for, in words.</summary>
    public string Description => Directory is null ? $"{FileName} (loader path)" : LoadPath;
}
