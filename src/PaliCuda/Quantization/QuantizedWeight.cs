namespace PaliCuda.Quantization;

/// <summary>
/// One weight matrix [Rows, Columns] in a packed format: the bytes a GPU backend uploads as they are
/// (<see cref="Data"/> = the checkpoint's <c>.qweight</c>, <see cref="Scales"/> = <c>.scales</c>), and the CPU
/// reference's float32 reconstruction of them. Layouts are documented on <see cref="Int8RowFormat"/>,
/// <see cref="Int4GroupFormat"/> and <see cref="Fp8RowFormat"/>.
/// </summary>
public sealed class QuantizedWeight
{
    public WeightFormat Format { get; }
    /// <summary>Output channels (N).</summary>
    public int Rows { get; }
    /// <summary>Logical input width K (before any padding).</summary>
    public int Columns { get; }
    public byte[] Data { get; }
    public byte[] Scales { get; }

    public QuantizedWeight(WeightFormat format, int rows, int columns, byte[] data, byte[] scales)
    {
        var layout = QuantizedLayout.For(format, rows, columns);
        if (data.LongLength != layout.DataBytes)
            throw new ArgumentException($"{format.ToName()} [{rows}, {columns}] needs {layout.DataBytes} data bytes, got {data.LongLength}", nameof(data));
        if (scales.LongLength != layout.ScalesBytes)
            throw new ArgumentException($"{format.ToName()} [{rows}, {columns}] needs {layout.ScalesBytes} scale bytes, got {scales.LongLength}", nameof(scales));
        Format = format;
        Rows = rows;
        Columns = columns;
        Data = data;
        Scales = scales;
    }

    public QuantizedLayout Layout => QuantizedLayout.For(Format, Rows, Columns);

    /// <summary>Quantizes a float32 matrix [rows, columns] (row-major) into <paramref name="format"/> (int8, int4 or fp8).</summary>
    public static QuantizedWeight Quantize(WeightFormat format, ReadOnlySpan<float> weights, int rows, int columns) => format switch
    {
        WeightFormat.Int8 => Int8RowFormat.Quantize(weights, rows, columns),
        WeightFormat.Int4 => Int4GroupFormat.Quantize(weights, rows, columns),
        WeightFormat.Fp8 => Fp8RowFormat.Quantize(weights, rows, columns),
        _ => throw new ArgumentException($"{format.ToName()} is not a packed format", nameof(format)),
    };

    /// <summary>
    /// Row <paramref name="row"/> as float32, exactly the values a kernel reconstructs (scale × q in fp32). The embedding
    /// gather uses this on the same table the LM head multiplies with.
    /// </summary>
    public void DequantizeRow(int row, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        if (destination.Length < Columns) throw new ArgumentException($"destination holds {destination.Length} floats, the row has {Columns}", nameof(destination));
        DequantizeRow(Format, Data, Scales, Columns, row, destination);
    }

    /// <summary>The whole matrix as float32 [Rows, Columns].</summary>
    public float[] Dequantize()
    {
        var result = new float[(long)Rows * Columns];
        for (int r = 0; r < Rows; r++) DequantizeRow(r, result.AsSpan(r * Columns, Columns));
        return result;
    }

    /// <summary>The dequantization of one row straight from packed bytes (e.g. memory-mapped checkpoint data).</summary>
    public static void DequantizeRow(WeightFormat format, ReadOnlySpan<byte> data, ReadOnlySpan<byte> scales, int columns, int row, Span<float> destination)
    {
        switch (format)
        {
            case WeightFormat.Int8: Int8RowFormat.DequantizeRow(data, scales, columns, row, destination); break;
            case WeightFormat.Int4: Int4GroupFormat.DequantizeRow(data, scales, columns, row, destination); break;
            case WeightFormat.Fp8: Fp8RowFormat.DequantizeRow(data, scales, columns, row, destination); break;
            default: throw new ArgumentException($"{format.ToName()} is not a packed format", nameof(format));
        }
    }

    internal static void CheckShape(int length, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)rows * columns != length)
            throw new ArgumentException($"{length} weights do not form a [{rows}, {columns}] matrix");
    }
}
