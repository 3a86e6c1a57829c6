using System.Runtime.InteropServices;

namespace PaliCuda.Quantization;

/// <summary>
/// int8 weight-only, one symmetric scale per output channel.
/// </summary>
/// <remarks>
/// Layout (packing version 1):
/// <list type="bullet">
/// <item><c>qweight</c>: I8 [out, in], row-major, unpadded — row r holds q[r, 0..in). A GEMV thread reads 16 int8 along
/// K per 16-byte load; every PaliGemma 2 width is a multiple of 16, other widths need a scalar tail.</item>
/// <item><c>scales</c>: F32 [out]; s[r] = max|w[r, :]| / 127 (0 for an all-zero row).</item>
/// <item>q = clamp(round_half_even(w / s), −127, 127); the value is s[r] · q in float32 (one IEEE multiply, which a
/// kernel reproduces bit for bit). −128 is never produced, so the range is symmetric and negation is exact.</item>
/// </list>
/// Why float32 scales: the scale multiplies the whole row once per output, so its size (4 bytes per row, 0.17% of an
/// int8 row of 2304) and cost are negligible, while a bf16 scale would be a per-row gain error of up to 2⁻⁹; see
/// docs/QUANTIZATION.md for the measured difference.
/// </remarks>
public static class Int8RowFormat
{
    public const int MaxMagnitude = 127;

    /// <summary>Quantizes <paramref name="weights"/> ([rows, columns] row-major).</summary>
    public static QuantizedWeight Quantize(ReadOnlySpan<float> weights, int rows, int columns)
    {
        QuantizedWeight.CheckShape(weights.Length, rows, columns);
        var q = new byte[(long)rows * columns];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = weights.Slice(r * columns, columns);
            float scale = MaxAbs(row) / MaxMagnitude;
            scales[r] = scale;
            var qRow = MemoryMarshal.Cast<byte, sbyte>(q.AsSpan(r * columns, columns));
            if (scale == 0f) continue;
            for (int c = 0; c < columns; c++)
                qRow[c] = (sbyte)Math.Clamp(MathF.Round(row[c] / scale, MidpointRounding.ToEven), -MaxMagnitude, MaxMagnitude);
        }
        return new QuantizedWeight(WeightFormat.Int8, rows, columns, q, MemoryMarshal.AsBytes(scales.AsSpan()).ToArray());
    }

    /// <summary>Row <paramref name="row"/> as float32: s · q.</summary>
    public static void DequantizeRow(ReadOnlySpan<byte> qweight, ReadOnlySpan<byte> scales, int columns, int row, Span<float> destination)
    {
        float scale = MemoryMarshal.Cast<byte, float>(scales)[row];
        var q = MemoryMarshal.Cast<byte, sbyte>(qweight.Slice(row * columns, columns));
        for (int c = 0; c < columns; c++) destination[c] = scale * q[c];
    }

    internal static float MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0f;
        foreach (var v in values)
        {
            if (!float.IsFinite(v)) throw new ArgumentException("weights must be finite to quantize", nameof(values));
            max = MathF.Max(max, MathF.Abs(v));
        }
        return max;
    }
}
