using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu.Quantized;

/// <summary>
/// DRAM bytes one quantized linear call must move at least (each byte once; L1/L2 reuse of the activations assumed), the
/// arithmetic behind the bandwidth floor quoted in docs/QUANTIZATION.md.
/// </summary>
public static class QuantizedTraffic
{
    /// <summary>
    /// GEMV: packed weights + scales + activations (2·M·K) + output (M·N·outputBytes) + split partials written and read
    /// back (2 · 4·splits·M·N when splits &gt; 1).
    /// </summary>
    public static long GemvBytes(WeightFormat format, int tokens, int rows, int columns, int splits, int outputBytes)
    {
        var layout = QuantizedLayout.For(format, rows, columns);
        long bytes = layout.DataBytes + layout.ScalesBytes + 2L * tokens * columns + (long)tokens * rows * outputBytes;
        if (splits > 1) bytes += 2L * 4 * splits * tokens * rows;
        return bytes;
    }

    /// <summary>The bf16 weight of the same shape: the bytes an unquantized GEMV reads for its weights.</summary>
    public static long Bf16WeightBytes(int rows, int columns) => 2L * rows * columns;

    /// <summary>Prefill path: packed weights + scales read, the bf16 scratch written, then read by the GEMM.</summary>
    public static long DequantizeBytes(WeightFormat format, int rows, int columns)
    {
        var layout = QuantizedLayout.For(format, rows, columns);
        return layout.DataBytes + layout.ScalesBytes + 2 * Bf16WeightBytes(rows, columns);
    }

    /// <summary>Time to move <paramref name="bytes"/> at <paramref name="bytesPerSecond"/>, in microseconds.</summary>
    public static double FloorMicroseconds(long bytes, double bytesPerSecond) => bytes / bytesPerSecond * 1e6;
}
