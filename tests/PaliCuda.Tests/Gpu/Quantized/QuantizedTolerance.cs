using PaliCuda.Quantization;

namespace PaliCuda.Tests.Gpu.Quantized;

/// <summary>
/// Per-element error bounds of a quantized linear against the fp64 reference x · deq(W)ᵀ computed from the CPU
/// reference's exact fp32 weights (<see cref="PaliCuda.Quantization.QuantizedWeight.Dequantize"/>).
/// </summary>
internal static class QuantizedTolerance
{
    /// <summary>
    /// GEMV: every product q·x is exact in fp32 (q ≤ 8 significant bits, x bf16 with 8), so the error is the fp32
    /// summation — k terms, the per-group/per-row scale multiply and up to <paramref name="splits"/> partials, at most
    /// (k + splits + 2)·2⁻²⁴·Σ|x·w| (Higham's γ) — plus one output rounding (bf16: 2⁻⁸·|ref|, fp32: 2⁻²⁴·|ref|).
    /// </summary>
    public static double GemvElementBound(double reference, double absoluteDot, int k, int splits, bool bf16Output) =>
        (bf16Output ? Bf16Tolerance.UnitRoundoff : Bf16Tolerance.Fp32Roundoff) * Math.Abs(reference)
        + (k + splits + 2) * Bf16Tolerance.Fp32Roundoff * absoluteDot + 1e-30;

    /// <summary>
    /// int4 GEMV: <see cref="GemvElementBound"/> plus the nibble-bias cancellation (kernels/gemv_quantized.cuh): a lane
    /// sums (q + 136)·x and Σx over its 32-element chunk and subtracts 136·Σx, so each chunk adds at most
    /// 32·2⁻²⁴·(143 + 136)·s·Σ|x|; summed over chunks that is 32·279·2⁻²⁴·Σ_k s_group(k)·|x_k| (<paramref name="scaledAbsoluteX"/>).
    /// </summary>
    public static double Int4GemvElementBound(double reference, double absoluteDot, double scaledAbsoluteX, int k, int splits, bool bf16Output) =>
        GemvElementBound(reference, absoluteDot, k, splits, bf16Output) + Int4ChunkElements * (MaxBiasedNibble + NibbleBias) * Bf16Tolerance.Fp32Roundoff * scaledAbsoluteX;

    private const int Int4ChunkElements = 32;
    private const double MaxBiasedNibble = 143;
    private const double NibbleBias = 136;

    /// <summary>The GEMV bound for <paramref name="format"/>.</summary>
    public static double Gemv(WeightFormat format, double reference, double absoluteDot, double scaledAbsoluteX, int k, int splits, bool bf16Output) =>
        format == WeightFormat.Int4
            ? Int4GemvElementBound(reference, absoluteDot, scaledAbsoluteX, k, splits, bf16Output)
            : GemvElementBound(reference, absoluteDot, k, splits, bf16Output);

    /// <summary>
    /// Dequantize + GEMM: the same, plus the scratch's rounding of each weight to bf16 (≤ 2⁻⁸·|w|, so ≤ 2⁻⁸·Σ|x·w| on the
    /// dot product); the GEMM accumulates in fp32 in any order (k terms).
    /// </summary>
    public static double GemmElementBound(double reference, double absoluteDot, int k, bool bf16Output) =>
        (bf16Output ? Bf16Tolerance.UnitRoundoff : Bf16Tolerance.Fp32Roundoff) * Math.Abs(reference)
        + (Bf16Tolerance.UnitRoundoff + (k + 2) * Bf16Tolerance.Fp32Roundoff) * absoluteDot + 1e-30;
}
