using PaliCuda.Backends;
using PaliCuda.Backends.Cpu;
using PaliCuda.Backends.Gpu;
using PaliCuda.Devices.Cuda;
using PaliCuda.Emulation;
using PaliCuda.Emulation.Blas;
using PaliCuda.Generation;

namespace PaliCuda.Benchmarking;

/// <summary>
/// A backend to benchmark on, with its device wrapped in a <see cref="PeakMemoryDevice"/> where it has one (CUDA,
/// the emulator), so peak device memory can be read. Owns the backend.
/// </summary>
public sealed class BenchmarkTarget : IDisposable
{
    private BenchmarkTarget(DeviceKind kind, IBackend backend, PeakMemoryDevice? memory)
    {
        Kind = kind;
        Backend = backend;
        Memory = memory;
    }

    public DeviceKind Kind { get; }
    public IBackend Backend { get; }
    /// <summary>Null on the CPU backend, which has no device memory of its own.</summary>
    public PeakMemoryDevice? Memory { get; }

    /// <summary>Bytes per stored float element: bf16 on GPUs, float32 on the CPU.</summary>
    public int ElementBytes => Backend.FloatStorage == Graph.BufferDType.BF16 ? 2 : 4;

    /// <param name="jitPtx">On CUDA, JIT-compile the PTX instead of loading the embedded machine code (<see cref="GpuBackendOptions.JitPtx"/>).</param>
    /// <exception cref="CudaDeviceException">For CUDA without a usable device.</exception>
    public static BenchmarkTarget Create(DeviceKind kind, IReadOnlyDictionary<string, string>? variants = null, bool jitPtx = false)
    {
        var options = new GpuBackendOptions { Variants = variants ?? new Dictionary<string, string>(), JitPtx = jitPtx };
        switch (kind)
        {
            case DeviceKind.Cpu:
                return new BenchmarkTarget(kind, new CpuBackend(), null);
            case DeviceKind.Emulated:
            {
                var emulator = new EmulatedDevice();
                // Capturable: the end-to-end runs capture their graphs, as the engine does.
                var device = new PeakMemoryDevice(emulator, new CapturableEmulatedBlas(emulator));
                return new BenchmarkTarget(kind, new GpuBackend(device, device, options with { StripPtxLineInfo = true }, ownsDevice: true), device);
            }
            case DeviceKind.Cuda:
            {
                var cuda = CudaDevice.Open(jitPtx: jitPtx);
                var device = new PeakMemoryDevice(cuda, cuda);
                return new BenchmarkTarget(kind, new GpuBackend(device, device, options, ownsDevice: true), device);
            }
            default:
                throw new ArgumentException($"device '{kind}' has no benchmark backend", nameof(kind));
        }
    }

    public void Dispose() => Backend.Dispose();
}
