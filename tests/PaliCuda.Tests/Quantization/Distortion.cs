namespace PaliCuda.Tests.Quantization;

/// <summary>Error statistics of a reconstruction against the original: relative RMS error, max |error|, SNR in dB.</summary>
internal sealed record Distortion(double RelativeRms, double MaxAbsError, double SnrDb)
{
    public static Distortion Of(ReadOnlySpan<float> original, ReadOnlySpan<float> reconstructed)
    {
        double signal = 0, noise = 0, max = 0;
        for (int i = 0; i < original.Length; i++)
        {
            double e = (double)reconstructed[i] - original[i];
            signal += (double)original[i] * original[i];
            noise += e * e;
            max = Math.Max(max, Math.Abs(e));
        }
        return new Distortion(Math.Sqrt(noise / signal), max, 10 * Math.Log10(signal / noise));
    }

    public override string ToString() => $"{RelativeRms * 100:F3}% | {MaxAbsError:E2} | {SnrDb:F1} dB";
}
