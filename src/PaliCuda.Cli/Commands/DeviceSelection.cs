using PaliCuda.Generation;
using PaliCuda.Native.Driver;

namespace PaliCuda.Cli.Commands;

/// <summary>Which device kinds this machine can run, decided from the CUDA driver probe.</summary>
public static class DeviceSelection
{
    /// <summary>CUDA when a device answers; otherwise the CPU reference backend.</summary>
    public static DeviceKind Best() => CudaDriver.Probe().Available ? DeviceKind.Cuda : DeviceKind.Cpu;

    /// <summary>Throws <see cref="DeviceUnavailableException"/> when <paramref name="kind"/> cannot run here.</summary>
    public static void EnsureUsable(DeviceKind kind)
    {
        if (kind != DeviceKind.Cuda) return;
        var probe = CudaDriver.Probe();
        if (!probe.Available) throw new DeviceUnavailableException($"no CUDA device: {probe.Reason} (--device cuda)");
    }
}
