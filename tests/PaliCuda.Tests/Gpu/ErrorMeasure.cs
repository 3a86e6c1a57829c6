namespace PaliCuda.Tests.Gpu;

/// <summary>‖Δ‖/‖ref‖, max |Δ|, and how many elements are NaN where the reference is finite.</summary>
internal sealed record ErrorMeasure(double RelativeL2, double MaxAbs, double MaxReference, int UnwrittenOrNaN, int FirstNaN)
{
    public static ErrorMeasure Of(float[] reference, float[] actual)
    {
        double d2 = 0, r2 = 0, maxAbs = 0, maxRef = 0;
        int nan = 0, first = -1;
        for (var i = 0; i < reference.Length; i++)
        {
            if (float.IsNaN(actual[i]) && !float.IsNaN(reference[i]))
            {
                nan++;
                if (first < 0) first = i;
                continue;
            }
            var d = (double)actual[i] - reference[i];
            d2 += d * d;
            r2 += (double)reference[i] * reference[i];
            maxAbs = Math.Max(maxAbs, Math.Abs(d));
            maxRef = Math.Max(maxRef, Math.Abs(reference[i]));
        }
        return new ErrorMeasure(r2 > 0 ? Math.Sqrt(d2 / r2) : Math.Sqrt(d2), maxAbs, maxRef, nan, first);
    }
}
