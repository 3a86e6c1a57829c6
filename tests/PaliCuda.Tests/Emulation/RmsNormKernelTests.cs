using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class RmsNormKernelTests
{
    /// <summary>bf16 output: one bf16 ulp is 2^-7 relative, and the reference rounds at the same point, so results
    /// differ by at most one bf16 rounding step caused by the f32 sum order (warp tree vs sequential).</summary>
    private const double Bf16RelativeTolerance = 1.0 / 128;

    private static ushort ToBf16(float f) => (ushort)((BitConverter.SingleToUInt32Bits(f) + 0x7FFF + ((BitConverter.SingleToUInt32Bits(f) >> 16) & 1)) >> 16);

    private static float FromBf16(ushort b) => BitConverter.UInt32BitsToSingle((uint)b << 16);

    [TestCase(4, 1000, 256)]
    [TestCase(3, 77, 64)]
    public void MatchesCpuReference(int rows, int cols, int threads)
    {
        var rng = new Random(1234 + cols);
        var x = new ushort[rows * cols];
        var w = new ushort[cols];
        for (int i = 0; i < x.Length; i++) x[i] = ToBf16((float)(rng.NextDouble() * 4 - 2));
        for (int i = 0; i < w.Length; i++) w[i] = ToBf16((float)(rng.NextDouble() - 0.5));
        const float eps = 1e-6f;

        using var device = new EmulatedDevice();
        var kernel = EmulatorKernels.Load(device, "rmsnorm", "rmsnorm_bf16");
        var dx = device.Upload<ushort>(x);
        var dw = device.Upload<ushort>(w);
        var dy = device.Allocate(rows * cols * 2L);
        var stopwatch = Stopwatch.StartNew();
        device.Launch(kernel, new LaunchConfig(rows, threads, (threads / 32) * sizeof(float)),
            new KernelArguments().Add(dx).Add(dw).Add(dy).Add(cols).Add(eps));
        stopwatch.Stop();
        var y = device.Download<ushort>(dy);

        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cols; c++) { double v = FromBf16(x[r * cols + c]); sum += v * v; }
            double scale = 1.0 / Math.Sqrt(sum / cols + eps);
            for (int c = 0; c < cols; c++)
            {
                double expected = FromBf16(x[r * cols + c]) * scale * (1.0 + FromBf16(w[c]));
                double actual = FromBf16(y[r * cols + c]);
                Assert.That(actual, Is.EqualTo(expected).Within(Math.Abs(expected) * Bf16RelativeTolerance + 1e-30),
                    $"row {r} col {c}");
            }
        }
        double rate = device.LastLaunchWarpInstructions / stopwatch.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine($"RMSNorm {rows}x{cols} with {threads} threads: {device.LastLaunchWarpInstructions} warp-instructions " +
                                  $"in {stopwatch.Elapsed.TotalMilliseconds:F1} ms = {rate / 1e6:F2} M warp-instructions/s");
        Assert.That(device.LastLaunchWarpInstructions, Is.GreaterThan(0));
    }

    [Test, Explicit("speed measurement")]
    public void MeasureSpeed()
    {
        const int rows = 64, cols = 2048, threads = 256;
        var x = new ushort[rows * cols];
        var w = new ushort[cols];
        var rng = new Random(5);
        for (int i = 0; i < x.Length; i++) x[i] = ToBf16((float)rng.NextDouble());
        for (int i = 0; i < w.Length; i++) w[i] = ToBf16((float)rng.NextDouble());
        using var device = new EmulatedDevice();
        var kernel = EmulatorKernels.Load(device, "rmsnorm", "rmsnorm_bf16");
        var dx = device.Upload<ushort>(x);
        var dw = device.Upload<ushort>(w);
        var dy = device.Allocate(rows * cols * 2L);
        var args = new KernelArguments().Add(dx).Add(dw).Add(dy).Add(cols).Add(1e-6f);
        device.Launch(kernel, new LaunchConfig(rows, threads, 32), args); // warm-up (JIT)
        var stopwatch = Stopwatch.StartNew();
        device.Launch(kernel, new LaunchConfig(rows, threads, 32), args);
        stopwatch.Stop();
        double rate = device.LastLaunchWarpInstructions / stopwatch.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine($"{device.LastLaunchWarpInstructions} warp-instructions in {stopwatch.Elapsed.TotalMilliseconds:F1} ms = {rate / 1e6:F2} M warp-instr/s");
        Assert.That(rate, Is.GreaterThan(0));
    }
}
