using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A timing-enabled CUDA event behind <see cref="IDeviceEvent"/>.</summary>
internal sealed class CudaDeviceEvent(CudaEvent cudaEvent) : IDeviceEvent
{
    public CudaEvent Native { get; } = cudaEvent;
    public void Synchronize() => Native.Synchronize();

    public double ElapsedMillisecondsSince(IDeviceEvent start) => start is CudaDeviceEvent s
        ? CudaEvent.ElapsedMilliseconds(s.Native, Native)
        : throw new ArgumentException($"event {start} does not belong to a CUDA device", nameof(start));

    public void Dispose() => Native.Dispose();
}
