using PaliCuda.Backends;
using PaliCuda.Graph;

namespace PaliCuda.Benchmarking;

/// <summary>
/// The two ceilings achieved numbers are read against, measured on the same device in the same run: memory bandwidth
/// from a large device-to-device copy (bytes read plus bytes written over its time) and the matrix rate from a large
/// square GEMM through the backend's own matmul (cuBLAS bf16 on CUDA).
/// </summary>
public sealed record DeviceCeilings(string Device, double BytesPerSecond, double FlopsPerSecond, long CopyBytes, int GemmSize, double CopyMs, double GemmMs)
{
    /// <summary>Sizes for a GPU: 1 GiB copied (far beyond any L2), an 8192³ GEMM (fills the chip).</summary>
    public const long GpuCopyBytes = 1L << 30;
    public const int GpuGemmSize = 8192;

    /// <summary>Sizes the CPU and the emulator finish in well under a second.</summary>
    public const long SmallCopyBytes = 1L << 20;
    public const int SmallGemmSize = 64;

    public double GigabytesPerSecond => BytesPerSecond / 1e9;
    public double TeraflopsPerSecond => FlopsPerSecond / 1e12;

    /// <summary>Measures both ceilings on <paramref name="backend"/> (median of <paramref name="repetitions"/> after warm-up).</summary>
    public static DeviceCeilings Measure(IBackend backend, long copyBytes, int gemmSize, int repetitions = 10)
    {
        var elementBytes = backend.FloatStorage.ElementBytes();
        var rows = (int)Math.Max(1, copyBytes / elementBytes / 1024);
        var source = backend.Allocate((long)rows * 1024 * elementBytes, "ceiling.copy.src");
        var target = backend.Allocate((long)rows * 1024 * elementBytes, "ceiling.copy.dst");
        try
        {
            var src = new DeviceTensor(source, 0, [rows, 1024], backend.FloatStorage, "copy_src");
            var dst = new DeviceTensor(target, 0, [rows, 1024], backend.FloatStorage, "copy_dst");
            var copyMs = DeviceTimer.Median(DeviceTimer.Measure(backend, () => backend.SliceRows(src, 0, dst), 2, repetitions));
            var bytes = 2.0 * src.ByteLength;

            var gemm = OpShape.Of(KernelOps.MatMul, "ceiling", ("m", gemmSize), ("n", gemmSize), ("k", gemmSize));
            using var op = PreparedOp.Prepare(backend, gemm);
            var gemmMs = DeviceTimer.Median(DeviceTimer.Measure(backend, op.Run, 3, repetitions));
            return new DeviceCeilings(backend.Name, bytes / (copyMs / 1e3), OpCost.Of(gemm).Flops / (gemmMs / 1e3), src.ByteLength, gemmSize, copyMs, gemmMs);
        }
        finally
        {
            source.Dispose();
            target.Dispose();
        }
    }

    /// <summary>GPU sizes on CUDA, small ones elsewhere.</summary>
    public static DeviceCeilings MeasureFor(BenchmarkTarget target) => target.Kind == Generation.DeviceKind.Cuda
        ? Measure(target.Backend, GpuCopyBytes, GpuGemmSize)
        : Measure(target.Backend, SmallCopyBytes, SmallGemmSize, repetitions: 3);
}
