namespace PaliCuda.Kernels;

/// <summary>
/// One kernel parameter as PTX declares it: a fundamental type such as <c>u64</c> (pointers),
/// <c>u32</c> (<c>int</c> is declared u32 by nvcc), <c>f32</c>; or a by-value struct, which PTX
/// declares as an aligned byte array (<c>.param .align 8 .b8 name[24]</c>).
/// </summary>
/// <param name="Type">PTX fundamental type without the leading dot.</param>
/// <param name="Align">Declared alignment in bytes; 0 when the declaration has none.</param>
/// <param name="ArrayLength">Element count of an array parameter; 0 for a scalar.</param>
public readonly record struct PtxParam(string Type, int Align, int ArrayLength)
{
    private static readonly HashSet<string> FundamentalTypes =
    [
        "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64",
        "f16", "f16x2", "bf16", "bf16x2", "f32", "f64", "b8", "b16", "b32", "b64", "pred",
    ];

    public static PtxParam U64 => new("u64", 0, 0);
    public static PtxParam U32 => new("u32", 0, 0);
    public static PtxParam S32 => new("s32", 0, 0);
    public static PtxParam S64 => new("s64", 0, 0);
    public static PtxParam F32 => new("f32", 0, 0);

    /// <summary>A struct passed by value: <c>.param .align <paramref name="align"/> .b8 name[<paramref name="size"/>]</c>.</summary>
    public static PtxParam ByValue(int align, int size) => new("b8", align, size);

    /// <summary>True when <paramref name="type"/> (without the dot) names a PTX fundamental type.</summary>
    public static bool IsFundamentalType(string type) => FundamentalTypes.Contains(type);

    /// <summary>Size in bytes the parameter occupies, as the launcher packs it.</summary>
    public int SizeInBytes => ElementBytes(Type) * Math.Max(1, ArrayLength);

    public override string ToString()
    {
        var text = ArrayLength > 0 ? $"{Type}[{ArrayLength}]" : Type;
        return Align > 0 ? $"align {Align} {text}" : text;
    }

    private static int ElementBytes(string type) => type switch
    {
        "s8" or "u8" or "b8" or "pred" => 1,
        "s16" or "u16" or "b16" or "f16" or "bf16" => 2,
        "s32" or "u32" or "b32" or "f32" or "f16x2" or "bf16x2" => 4,
        "s64" or "u64" or "b64" or "f64" => 8,
        _ => throw new ArgumentException($"'{type}' is not a PTX fundamental type.", nameof(type)),
    };
}
