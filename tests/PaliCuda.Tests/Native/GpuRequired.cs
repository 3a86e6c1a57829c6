using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>The one precondition for GPU tests: a device, or a visible skip that says why there is none.</summary>
internal static class GpuRequired
{
    private static readonly Lazy<CudaAvailability> Availability = new(CudaDriver.Probe);

    /// <summary>The probe result when a device exists; otherwise ignores the test with the probe's reason.</summary>
    public static CudaAvailability DeviceOrIgnore()
    {
        var availability = Availability.Value;
        if (!availability.Available)
        {
            Assert.Ignore($"No CUDA device: {availability.Reason}");
        }

        return availability;
    }

    /// <summary>The primary context of device 0, current on this thread; ignores the test when there is no device.</summary>
    public static CudaContext ContextOrIgnore()
    {
        DeviceOrIgnore();
        return CudaContext.RetainPrimary(0);
    }
}
