using System.Runtime.InteropServices;

namespace PaliCuda.Quantization;

/// <summary>
/// fp8 e4m3 weights with one float32 scale per output channel, for a cuBLASLt fp8 GEMM on Hopper.
/// </summary>
/// <remarks>
/// Layout (packing version 1): <c>qweight</c> F8_E4M3 [out, in] row-major, unpadded (<see cref="Fp8E4M3"/> encoding);
/// <c>scales</c> F32 [out], s[r] = max|w[r, :]| / 448 so each row's largest weight maps to the largest finite e4m3.
/// q = e4m3(w / s) rounded to nearest even, saturating; the value is s · float(q) in float32. cuBLASLt takes one
/// scale per matrix, so the per-row scale is applied in the GEMM epilogue (a per-row vector multiply of the output).
/// </remarks>
public static class Fp8RowFormat
{
    public static QuantizedWeight Quantize(ReadOnlySpan<float> weights, int rows, int columns)
    {
        QuantizedWeight.CheckShape(weights.Length, rows, columns);
        var q = new byte[(long)rows * columns];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = weights.Slice(r * columns, columns);
            float scale = Int8RowFormat.MaxAbs(row) / Fp8E4M3.MaxValue;
            scales[r] = scale;
            if (scale == 0f) continue;
            var qRow = q.AsSpan(r * columns, columns);
            for (int c = 0; c < columns; c++) qRow[c] = Fp8E4M3.FromSingle(row[c] / scale);
        }
        return new QuantizedWeight(WeightFormat.Fp8, rows, columns, q, MemoryMarshal.AsBytes(scales.AsSpan()).ToArray());
    }

    public static void DequantizeRow(ReadOnlySpan<byte> qweight, ReadOnlySpan<byte> scales, int columns, int row, Span<float> destination)
    {
        float scale = MemoryMarshal.Cast<byte, float>(scales)[row];
        var q = qweight.Slice(row * columns, columns);
        for (int c = 0; c < columns; c++) destination[c] = scale * Fp8E4M3.ToSingle(q[c]);
    }
}
