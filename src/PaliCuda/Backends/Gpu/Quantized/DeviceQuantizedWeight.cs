using PaliCuda.Devices;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu.Quantized;

/// <summary>
/// A packed weight [Rows, Columns] resident on a device: the checkpoint's <c>.qweight</c> bytes in <see cref="Data"/> and
/// its <c>.scales</c> bytes in <see cref="Scales"/>, uploaded unchanged (layouts: <see cref="Int8RowFormat"/>,
/// <see cref="Int4GroupFormat"/>, <see cref="Fp8RowFormat"/>). The buffers are the caller's (e.g. views into a weight
/// arena); this record does not own them.
/// </summary>
public sealed record DeviceQuantizedWeight
{
    /// <summary>Kernels read both buffers with 16-byte loads.</summary>
    public const int RequiredAlignment = 16;

    public WeightFormat Format { get; }
    /// <summary>Output channels N.</summary>
    public int Rows { get; }
    /// <summary>Logical input width K (int4 rows are stored padded to a multiple of 128).</summary>
    public int Columns { get; }
    public DeviceBuffer Data { get; }
    public DeviceBuffer Scales { get; }

    /// <exception cref="ArgumentException">The format is not packed, a buffer is too small or not 16-byte aligned.</exception>
    public DeviceQuantizedWeight(WeightFormat format, int rows, int columns, DeviceBuffer data, DeviceBuffer scales, string name = "weight")
    {
        if (!format.IsQuantized()) throw new ArgumentException($"'{name}': {format.ToName()} is not a packed format", nameof(format));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        var layout = QuantizedLayout.For(format, rows, columns);
        Check(name, "data", data, layout.DataBytes);
        Check(name, "scales", scales, layout.ScalesBytes);
        Format = format;
        Rows = rows;
        Columns = columns;
        Data = data;
        Scales = scales;
        Name = name;
    }

    /// <summary>Used in error messages.</summary>
    public string Name { get; }

    private static void Check(string name, string part, DeviceBuffer buffer, long needed)
    {
        if (buffer.ByteLength < needed)
            throw new ArgumentException($"'{name}' {part}: {buffer} holds fewer than the {needed} bytes the layout needs");
        if (buffer.Address % RequiredAlignment != 0)
            throw new ArgumentException($"'{name}' {part}: {buffer} is not {RequiredAlignment}-byte aligned");
    }
}
