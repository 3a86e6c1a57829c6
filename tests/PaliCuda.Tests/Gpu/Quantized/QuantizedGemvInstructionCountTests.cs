using NUnit.Framework;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Emulation.Blas;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Gpu.Quantized;

/// <summary>
/// Emulated warp-instruction counts of one decode GEMV, a proxy for whether the kernel's instruction issue can keep up
/// with DRAM (the real ceiling is measured on a GPU by the device script). Counts are printed for docs/QUANTIZATION.md.
/// </summary>
[TestFixture]
public class QuantizedGemvInstructionCountTests
{
    /// <summary>
    /// Warp instructions an H100 SXM can issue per 512 weight bytes while DRAM streams them: 132 SMs × 4 schedulers ×
    /// 1.98 GHz (nominal boost) ≈ 1.05e12 warp instructions/s against 3.35e12 B/s nominal bandwidth ≈ 0.31 per byte,
    /// i.e. 160 per 512 bytes (one warp step over one row). A kernel above this in SASS is issue-bound before it is
    /// memory-bound; printed beside the PTX count for the docs (the PTX count overstates SASS).
    /// </summary>
    private const double IssueBudgetPer512Bytes = 132 * 4 * 1.98e9 / 3.35e12 * 512;

    [TestCase(WeightFormat.Int8, 4096), TestCase(WeightFormat.Fp8, 4096), TestCase(WeightFormat.Int4, 8192)]
    public void MultiTokenGemvCostsLessThanRepeatedSingleTokenCalls(WeightFormat format, int columns)
    {
        const int rows = 16, tokens = 4;
        var device = new EmulatedDevice();
        using var linear = new QuantizedLinear(device, new EmulatedBlas(device), new QuantizedLinearOptions { StripPtxLineInfo = true });
        var random = new Random(31);
        TestContext.Out.WriteLine("seed 31");
        var weight = linear.Upload(QuantizedWeight.Quantize(format, QuantizedProblem.Normal(random, (long)rows * columns, 0.05), rows, columns));
        var x = device.Upload<ushort>(QuantizedProblem.ToBf16Bits(QuantizedProblem.Normal(random, (long)tokens * columns, 1)));
        var y = device.Allocate(2L * tokens * rows);
        linear.Gemv(x, 1, weight, null, y, BlasElementType.BFloat16, splits: 1);
        long one = device.LastLaunchWarpInstructions;
        linear.Gemv(x, tokens, weight, null, y, BlasElementType.BFloat16, splits: 1);
        long many = device.LastLaunchWarpInstructions;
        double per512 = one / (QuantizedLayout.For(format, rows, columns).DataBytes / 512.0);
        TestContext.Out.WriteLine($"{format.ToName()} N={rows} K={columns}: M=1 {one} PTX warp instructions = {per512:F1} per 512 weight bytes " +
            $"(H100 issue budget {IssueBudgetPer512Bytes:F0}; PTX counts register moves and unfused logic ops that SASS does not); M={tokens} {many}");
        Assert.That(one, Is.GreaterThan(0), "the emulator counted the launch");
        Assert.That(many, Is.LessThan(tokens * one), "the m8 kernel dequantizes each weight once for all tokens");
    }
}
