using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu.Quantized;

/// <summary>
/// The launch geometry of the quantized GEMV kernels (kernels/gemv_quantized.cuh): the constants must match the
/// header's kWarps, kRowsPerWarp and kMaxTokens.
/// </summary>
public static class QuantizedGemvGeometry
{
    public const int WarpsPerBlock = 4;
    public const int RowsPerWarp = 2;
    public const int RowsPerBlock = WarpsPerBlock * RowsPerWarp;
    public const int ThreadsPerBlock = WarpsPerBlock * 32;

    /// <summary>16-byte chunks per row: what one lane loads per step (16 int8/fp8 elements, 32 int4 elements).</summary>
    public static int ChunksPerRow(WeightFormat format, int columns) => format switch
    {
        WeightFormat.Int8 or WeightFormat.Fp8 => (columns + 15) / 16,
        WeightFormat.Int4 => Int4GroupFormat.PaddedColumns(columns) / 32,
        _ => throw new ArgumentException($"{format.ToName()} has no GEMV kernel", nameof(format)),
    };

    public static int RowBlocks(int rows) => (rows + RowsPerBlock - 1) / RowsPerBlock;

    /// <summary>
    /// How many K ranges a launch uses: enough to reach <see cref="QuantizedLinearOptions.TargetBlocks"/>, but each
    /// split keeps at least <see cref="QuantizedLinearOptions.MinChunksPerSplit"/> chunks and there are at most
    /// <see cref="QuantizedLinearOptions.MaxSplits"/>.
    /// </summary>
    public static int Splits(WeightFormat format, int rows, int columns, QuantizedLinearOptions options)
    {
        int blocks = RowBlocks(rows);
        if (blocks >= options.TargetBlocks) return 1;
        int wanted = (options.TargetBlocks + blocks - 1) / blocks;
        int byLength = Math.Max(1, ChunksPerRow(format, columns) / Math.Max(1, options.MinChunksPerSplit));
        return Math.Clamp(Math.Min(wanted, byLength), 1, Math.Max(1, options.MaxSplits));
    }
}
