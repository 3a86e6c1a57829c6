using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A CUDA stream behind <see cref="IComputeStream"/>; waits go through its device (context binding, fault reports).</summary>
internal sealed class CudaComputeStream(CudaDevice device, CudaStream stream) : IComputeStream
{
    public CudaStream Native { get; } = stream;
    public bool IsCapturing { get; set; }
    public void Synchronize() => device.Wait(Native.Synchronize, "stream synchronize");
    public void Dispose() => Native.Dispose();
}
