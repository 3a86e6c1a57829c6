namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Error bounds for a bf16 kernel compared with the fp32 CPU reference run on the same (bf16-representable) inputs.
/// </summary>
internal static class Bf16Tolerance
{
    /// <summary>Unit roundoff of bf16: 8 significant bits, round to nearest → |rounded − x| ≤ 2^-8·|x|.</summary>
    public const double UnitRoundoff = 1.0 / 256;

    /// <summary>Unit roundoff of fp32 (24 significant bits).</summary>
    public const double Fp32Roundoff = 1.0 / (1 << 24);

    /// <summary>
    /// One rounding of the output to bf16 (≤ u per element, so ≤ u in relative L2) plus fp32 arithmetic that differs
    /// from the reference only in operation order and in the device's transcendental functions (≤ 2 ulp, taken
    /// generously as 64 fp32 ulps).
    /// </summary>
    public const double SingleRounding = UnitRoundoff + 64 * Fp32Roundoff;

    /// <summary>
    /// Ops whose kernel rounds one intermediate to bf16 where the reference does not (fused add + RMSNorm stores
    /// h, bias seeding of a GEMM) or whose output goes through a softmax of fp32 scores (attention): twice
    /// <see cref="SingleRounding"/>.
    /// </summary>
    public const double TwoRoundings = 2 * SingleRounding;

    /// <summary>
    /// Attention whose probabilities are rounded to bf16 before P·V (flash_mma): the output is Σ w̃_j v_j with
    /// w̃_j = p_j(1+δ_j) / Σ_k p_k(1+δ_k), |δ_j| ≤ u, so Δout = Σ_j w_j (δ_j − δ̄)(v_j − out); with independent δ_j
    /// of RMS u/√3 this is at most u relative to |out| in L2 (for random v, |out|² ≈ Σ w_j²|v_j|²). One u on top of
    /// <see cref="TwoRoundings"/>.
    /// </summary>
    public const double RoundedProbabilities = TwoRoundings + UnitRoundoff;

    /// <summary>
    /// GEMM elementwise: |Δ_ij| ≤ u·|ref_ij| + γ_k·Σ_l |x_il·w_jl| with γ_k = k·2^-24 (fp32 accumulation in any order,
    /// Higham's bound for a dot product of length k).
    /// </summary>
    public static double GemmElementBound(double reference, double absoluteDot, int k) =>
        UnitRoundoff * Math.Abs(reference) + k * Fp32Roundoff * absoluteDot + 1e-30;
}
