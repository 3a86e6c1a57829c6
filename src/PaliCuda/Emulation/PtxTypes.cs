namespace PaliCuda.Emulation;

/// <summary>Facts about <see cref="PtxType"/> values.</summary>
internal static class PtxTypes
{
    public static PtxType? Parse(string name) => name switch
    {
        "pred" => PtxType.Pred,
        "b8" => PtxType.B8, "b16" => PtxType.B16, "b32" => PtxType.B32, "b64" => PtxType.B64, "b128" => PtxType.B128,
        "u8" => PtxType.U8, "u16" => PtxType.U16, "u32" => PtxType.U32, "u64" => PtxType.U64,
        "s8" => PtxType.S8, "s16" => PtxType.S16, "s32" => PtxType.S32, "s64" => PtxType.S64,
        "f16" => PtxType.F16, "f16x2" => PtxType.F16x2, "bf16" => PtxType.BF16, "bf16x2" => PtxType.BF16x2,
        "f32" => PtxType.F32, "f64" => PtxType.F64,
        _ => null,
    };

    public static int SizeOf(PtxType t) => t switch
    {
        PtxType.Pred => 1,
        PtxType.B8 or PtxType.U8 or PtxType.S8 => 1,
        PtxType.B16 or PtxType.U16 or PtxType.S16 or PtxType.F16 or PtxType.BF16 => 2,
        PtxType.B32 or PtxType.U32 or PtxType.S32 or PtxType.F32 or PtxType.F16x2 or PtxType.BF16x2 => 4,
        PtxType.B64 or PtxType.U64 or PtxType.S64 or PtxType.F64 => 8,
        PtxType.B128 => 16,
        _ => 0,
    };

    public static int BitsOf(PtxType t) => t == PtxType.Pred ? 1 : SizeOf(t) * 8;

    public static bool IsSigned(PtxType t) => t is PtxType.S8 or PtxType.S16 or PtxType.S32 or PtxType.S64;

    public static bool IsFloat(PtxType t) =>
        t is PtxType.F16 or PtxType.F16x2 or PtxType.BF16 or PtxType.BF16x2 or PtxType.F32 or PtxType.F64;

    public static bool IsInteger(PtxType t) => !IsFloat(t) && t != PtxType.Pred && t != PtxType.None;

    /// <summary>All-ones mask of the type's width (64-bit types: all bits).</summary>
    public static ulong MaskOf(PtxType t)
    {
        int bits = BitsOf(t);
        return bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
    }
}
