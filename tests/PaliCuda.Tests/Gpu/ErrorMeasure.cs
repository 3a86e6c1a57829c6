namespace PaliCuda.Tests.Gpu;

/// <summary>
/// ‖Δ‖/‖ref‖ and max |Δ| over the elements where both sides are finite, and how many elements disagree on being
/// non-finite: NaN or ±∞ on one side only, or different infinities (an unwritten output, or a wrong one). Elements
/// non-finite on both sides in the same way (both NaN, the same infinity) agree and are left out of the norms, so a
/// reference NaN can never turn the relative error itself into NaN (which an ≤ bound comparison would let through).
/// </summary>
internal sealed record ErrorMeasure(double RelativeL2, double MaxAbs, double MaxReference, int NonFiniteMismatches, int FirstMismatch)
{
    public static ErrorMeasure Of(float[] reference, float[] actual)
    {
        double d2 = 0, r2 = 0, maxAbs = 0, maxRef = 0;
        int mismatches = 0, first = -1;
        for (var i = 0; i < reference.Length; i++)
        {
            float r = reference[i], a = actual[i];
            if (!float.IsFinite(r) || !float.IsFinite(a))
            {
                var agree = (float.IsNaN(r) && float.IsNaN(a)) || r == a;
                if (!agree)
                {
                    mismatches++;
                    if (first < 0) first = i;
                }
                continue;
            }
            var d = (double)a - r;
            d2 += d * d;
            r2 += (double)r * r;
            maxAbs = Math.Max(maxAbs, Math.Abs(d));
            maxRef = Math.Max(maxRef, Math.Abs(r));
        }
        return new ErrorMeasure(r2 > 0 ? Math.Sqrt(d2 / r2) : Math.Sqrt(d2), maxAbs, maxRef, mismatches, first);
    }
}
