using PaliCuda.Generation;
using PaliCuda.Native.Driver;

namespace PaliCuda.Cli.Commands;

/// <summary>Which device kinds this machine can run, decided from the CUDA driver probe.</summary>
public static class DeviceSelection
{
    /// <summary>CUDA when the build has a CUDA backend and a device answers; otherwise the CPU reference backend.</summary>
    public static DeviceKind Best()
    {
        if (Enum.TryParse<DeviceKind>("Cuda", out var cuda) && CudaDriver.Probe().Available) return cuda;
        return DeviceKind.Cpu;
    }

    /// <summary>Throws <see cref="DeviceUnavailableException"/> when <paramref name="kind"/> cannot run here.</summary>
    public static void EnsureUsable(DeviceKind kind)
    {
        if (!string.Equals(kind.ToString(), "Cuda", StringComparison.Ordinal)) return;
        var probe = CudaDriver.Probe();
        if (!probe.Available) throw new DeviceUnavailableException($"no CUDA device: {probe.Reason} (--device cuda)");
    }
}
