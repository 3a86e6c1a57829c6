namespace PaliCuda.Verification;

/// <summary>
/// How close a backend must come to the float32 reference. With o = the fixture's observed |HF fp32 − HF fp64| for a
/// tensor (cases[*].observed_max_abs_diff), an independent float32 implementation is within
/// |ours − HF32| ≤ |ours − exact| + |HF32 − exact| ≈ 2·o if its rounding error is HF's size; summation order and
/// reduction blocking may make ours up to ~2× HF's, hence <see cref="ObservedMultiple"/> = 4. When o is 0 or unknown
/// the bound falls back to <see cref="UlpFloor"/> units of float32 roundoff relative to the tensor's largest value.
/// Tensors without an observed figure use <see cref="RelativeL2"/> on ‖Δ‖₂/‖ref‖₂.
/// </summary>
public sealed record ToleranceRule(double ObservedMultiple, double UlpFloor, double RelativeL2)
{
    /// <summary>float32 unit roundoff 2⁻²⁴.</summary>
    public const double Float32Roundoff = 1.0 / (1 << 24);

    /// <summary>
    /// CPU float32: multiple 4 (derived above); floor 16 roundoffs of max|ref| (a few chained fp32 ops, ~2⁻²⁰ relative);
    /// relative L2 1e-5 ≈ 170 roundoffs, the budget for ~10 chained blocks each contributing √K·u with K ≤ 256.
    /// </summary>
    public static ToleranceRule Float32 { get; } = new(4.0, 16.0, 1e-5);

    /// <summary>The max-abs bound for a tensor whose reference largest magnitude is <paramref name="maxAbsReference"/>.</summary>
    public double AbsoluteBound(double? observedFp32VsFp64, double maxAbsReference) =>
        Math.Max(ObservedMultiple * (observedFp32VsFp64 ?? 0), UlpFloor * Float32Roundoff * maxAbsReference);
}
