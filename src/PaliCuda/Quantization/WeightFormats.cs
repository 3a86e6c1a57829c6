namespace PaliCuda.Quantization;

/// <summary>The spelling of each <see cref="WeightFormat"/> on the command line and in checkpoint metadata.</summary>
public static class WeightFormats
{
    public static string ToName(this WeightFormat format) => format switch
    {
        WeightFormat.F32 => "f32",
        WeightFormat.BF16 => "bf16",
        WeightFormat.Int8 => "int8",
        WeightFormat.Int4 => "int4",
        WeightFormat.Fp8 => "fp8",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown weight format"),
    };

    public static bool TryParse(string? name, out WeightFormat format)
    {
        foreach (var f in Enum.GetValues<WeightFormat>())
            if (string.Equals(f.ToName(), name, StringComparison.OrdinalIgnoreCase))
            {
                format = f;
                return true;
            }
        format = default;
        return false;
    }

    /// <summary>True for the formats that store a packed integer/fp8 tensor plus scales instead of plain floats.</summary>
    public static bool IsQuantized(this WeightFormat format) => format is WeightFormat.Int8 or WeightFormat.Int4 or WeightFormat.Fp8;

    public static string AllNames => string.Join(", ", Enum.GetValues<WeightFormat>().Select(f => f.ToName()));
}
