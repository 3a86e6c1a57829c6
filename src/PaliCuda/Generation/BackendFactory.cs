using PaliCuda.Backends;
using PaliCuda.Backends.Cpu;
using PaliCuda.Backends.Gpu;
using PaliCuda.Devices.Cuda;
using PaliCuda.Emulation;
using PaliCuda.Emulation.Blas;

namespace PaliCuda.Generation;

/// <summary>Creates the backend for a <see cref="DeviceKind"/>; parses device names given on a command line.</summary>
public static class BackendFactory
{
    /// <exception cref="CudaDeviceException">For <see cref="DeviceKind.Cuda"/> without a usable device ("no CUDA device: reason").</exception>
    public static IBackend Create(DeviceKind device, GpuBackendOptions? gpuOptions = null) => device switch
    {
        DeviceKind.Cpu => new CpuBackend(),
        DeviceKind.Emulated => CreateEmulated(gpuOptions),
        DeviceKind.Cuda => CreateCuda(gpuOptions),
        _ => throw new NotSupportedException($"device '{device}' has no backend in this build"),
    };

    private static GpuBackend CreateEmulated(GpuBackendOptions? options)
    {
        var device = new EmulatedDevice();
        return new GpuBackend(device, new CapturableEmulatedBlas(device), (options ?? new GpuBackendOptions()) with { StripPtxLineInfo = true }, ownsDevice: true);
    }

    private static GpuBackend CreateCuda(GpuBackendOptions? options)
    {
        var device = CudaDevice.Open(jitPtx: options?.JitPtx ?? false);
        return new GpuBackend(device, device, options, ownsDevice: true);
    }

    /// <summary>"cpu", "emulated", "cuda" (case-insensitive); anything else throws naming the accepted names.</summary>
    public static DeviceKind Parse(string name) =>
        Enum.TryParse<DeviceKind>(name, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new ArgumentException($"unknown device '{name}'; expected one of: {string.Join(", ", Enum.GetNames<DeviceKind>().Select(n => n.ToLowerInvariant()))}", nameof(name));
}
