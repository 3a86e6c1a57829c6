using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A CUDA stream behind <see cref="IComputeStream"/>.</summary>
internal sealed class CudaComputeStream(CudaStream stream) : IComputeStream
{
    public CudaStream Native { get; } = stream;
    public bool IsCapturing { get; set; }
    public void Synchronize() => Native.Synchronize();
    public void Dispose() => Native.Dispose();
}
