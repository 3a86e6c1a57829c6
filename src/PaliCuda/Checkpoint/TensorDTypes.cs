namespace PaliCuda.Checkpoint;

/// <summary>The safetensors spelling and element size of each <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    /// <summary>Parses a safetensors dtype name ("F32", "BF16", "F8_E4M3", ...); false for anything else.</summary>
    public static bool TryParse(string name, out TensorDType dtype)
    {
        TensorDType? parsed = name switch
        {
            "F64" => TensorDType.F64,
            "F32" => TensorDType.F32,
            "F16" => TensorDType.F16,
            "BF16" => TensorDType.BF16,
            "F8_E4M3" => TensorDType.F8E4M3,
            "F8_E5M2" => TensorDType.F8E5M2,
            "I64" => TensorDType.I64,
            "I32" => TensorDType.I32,
            "I16" => TensorDType.I16,
            "I8" => TensorDType.I8,
            "U64" => TensorDType.U64,
            "U32" => TensorDType.U32,
            "U16" => TensorDType.U16,
            "U8" => TensorDType.U8,
            "BOOL" => TensorDType.Bool,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>The name safetensors uses for the dtype.</summary>
    public static string ToSafetensorsName(this TensorDType dtype) => dtype switch
    {
        TensorDType.F8E4M3 => "F8_E4M3",
        TensorDType.F8E5M2 => "F8_E5M2",
        TensorDType.Bool => "BOOL",
        _ => dtype.ToString(),
    };

    /// <summary>Bytes per element.</summary>
    public static int SizeInBytes(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 or TensorDType.U64 => 8,
        TensorDType.F32 or TensorDType.I32 or TensorDType.U32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 or TensorDType.U16 => 2,
        TensorDType.F8E4M3 or TensorDType.F8E5M2 or TensorDType.I8 or TensorDType.U8 or TensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for the dtypes <see cref="ITensorStore.ReadFloat32"/> converts (F32, BF16, F16).</summary>
    public static bool IsConvertibleToFloat32(this TensorDType dtype) =>
        dtype is TensorDType.F32 or TensorDType.BF16 or TensorDType.F16;
}
