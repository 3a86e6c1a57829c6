using PaliCuda.Quantization;

namespace PaliCuda.Tests.Quantization;

/// <summary>
/// The alternatives the shipped formats were chosen against, as quantize→dequantize functions for the measurements
/// only: int8 with a bf16 scale, int4 with the symmetric range [−7, 7], and int4 with a zero point (asymmetric).
/// </summary>
internal static class QuantizationVariants
{
    public delegate float[] Reconstruct(float[] weights, int rows, int columns);

    public static Reconstruct Shipped(WeightFormat format) => (w, r, c) => QuantizedWeight.Quantize(format, w, r, c).Dequantize();

    public static float[] Int8Bf16Scale(float[] w, int rows, int columns) => PerRow(w, rows, columns, row =>
    {
        float s = Int4GroupFormat.RoundUpToBFloat16(MaxAbs(row) / 127f);
        for (int i = 0; i < row.Length; i++) row[i] = s == 0 ? 0 : s * Math.Clamp(MathF.Round(row[i] / s), -127, 127);
    });

    public static float[] Int4Symmetric7(float[] w, int rows, int columns) => PerGroup(w, rows, columns, g =>
    {
        float s = Int4GroupFormat.RoundUpToBFloat16(MaxAbs(g) / 7f);
        for (int i = 0; i < g.Length; i++) g[i] = s == 0 ? 0 : s * Math.Clamp(MathF.Round(g[i] / s), -7, 7);
    });

    public static float[] Int4Asymmetric(float[] w, int rows, int columns) => PerGroup(w, rows, columns, g =>
    {
        float min = Math.Min(0, g.ToArray().Min()), max = Math.Max(0, g.ToArray().Max());
        float s = Int4GroupFormat.RoundUpToBFloat16((max - min) / 15f);
        if (s == 0) { g.Clear(); return; }
        float z = Math.Clamp(MathF.Round(-min / s), 0, 15);
        for (int i = 0; i < g.Length; i++) g[i] = s * (Math.Clamp(MathF.Round(g[i] / s) + z, 0, 15) - z);
    });

    private static float MaxAbs(Span<float> v)
    {
        float m = 0;
        foreach (var x in v) m = Math.Max(m, Math.Abs(x));
        return m;
    }

    private static float[] PerRow(float[] w, int rows, int columns, SpanAction action)
    {
        var result = (float[])w.Clone();
        for (int r = 0; r < rows; r++) action(result.AsSpan(r * columns, columns));
        return result;
    }

    private static float[] PerGroup(float[] w, int rows, int columns, SpanAction action) => PerRow(w, rows, columns, row =>
    {
        for (int start = 0; start < row.Length; start += Int4GroupFormat.GroupSize)
            action(row.Slice(start, Math.Min(Int4GroupFormat.GroupSize, row.Length - start)));
    });

    private delegate void SpanAction(Span<float> values);
}
