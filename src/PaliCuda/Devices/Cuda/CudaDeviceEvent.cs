using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A timing-enabled CUDA event behind <see cref="IDeviceEvent"/>; waits go through its device (context binding, fault reports).</summary>
internal sealed class CudaDeviceEvent(CudaDevice device, CudaEvent cudaEvent) : IDeviceEvent
{
    public CudaEvent Native { get; } = cudaEvent;
    public void Synchronize() => device.Wait(Native.Synchronize, "event synchronize");

    /// <summary>Waits for this (the later) event first: the driver refuses to time an event that has not completed.</summary>
    public double ElapsedMillisecondsSince(IDeviceEvent start)
    {
        if (start is not CudaDeviceEvent s) throw new ArgumentException($"event {start} does not belong to a CUDA device", nameof(start));
        Synchronize();
        return CudaEvent.ElapsedMilliseconds(s.Native, Native);
    }

    public void Dispose() => Native.Dispose();
}
