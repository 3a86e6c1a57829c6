using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Emulation.Blas;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Gpu;

/// <summary>The device a GPU test fixture runs on: the PTX emulator (always) or a CUDA GPU (skipped, with the probe's reason, when absent).</summary>
public enum GpuTarget
{
    Emulated,
    Cuda,
}

internal static class GpuTargets
{
    private static readonly Lazy<CudaAvailability> Cuda = new(CudaDriver.Probe);

    public static GpuBackend CreateBackend(GpuTarget target, GpuBackendOptions? options = null)
    {
        if (target == GpuTarget.Emulated)
        {
            var device = new EmulatedDevice();
            return new GpuBackend(device, new CapturableEmulatedBlas(device), (options ?? new GpuBackendOptions()) with { StripPtxLineInfo = true }, ownsDevice: true);
        }
        if (!Cuda.Value.Available) Assert.Ignore($"No CUDA device: {Cuda.Value.Reason}");
        var cuda = SharedCudaDevice.Get();
        return new GpuBackend(cuda, cuda, options, ownsDevice: false);
    }

    public static IComputeDevice DeviceOf(GpuBackend backend) => backend.Device;
}
