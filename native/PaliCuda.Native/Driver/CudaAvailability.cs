namespace PaliCuda.Native.Driver;

/// <summary>The outcome of <see cref="CudaDriver.Probe"/>: whether CUDA work can run here, and if not, why.</summary>
/// <param name="Available">True when the driver loaded, initialized and reported at least one device.</param>
/// <param name="Reason">Why CUDA is unavailable (e.g. <c>libcuda.so.1 not found</c>,
/// <c>cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)</c>); a summary when available.</param>
/// <param name="LibraryLoaded">Whether the driver library itself could be loaded.</param>
/// <param name="DriverVersion">The driver's CUDA version as <c>1000 × major + 10 × minor</c> (12020 is 12.2); 0 if unknown.</param>
/// <param name="Devices">The devices found; empty when unavailable.</param>
public sealed record CudaAvailability(
    bool Available,
    string Reason,
    bool LibraryLoaded,
    int DriverVersion,
    IReadOnlyList<CudaDeviceInfo> Devices)
{
    /// <summary>The driver version as <c>major.minor</c>, or <c>unknown</c>.</summary>
    public string DriverVersionText => DriverVersion > 0 ? $"{DriverVersion / 1000}.{DriverVersion % 1000 / 10}" : "unknown";
}
