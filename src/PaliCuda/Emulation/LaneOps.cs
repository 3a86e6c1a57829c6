using System.Numerics;
using System.Runtime.CompilerServices;

namespace PaliCuda.Emulation;

// Per-lane operations as structs with static methods: the interpreter's generic lane loops are
// specialised by the JIT for each, so the operation inlines into a tight loop over the lanes.

internal interface IUnaryLaneOp { static abstract ulong Apply(ulong a, in DecodedInstruction ins); }
internal interface IBinaryLaneOp { static abstract ulong Apply(ulong a, ulong b, in DecodedInstruction ins); }
internal interface ITernaryLaneOp { static abstract ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction ins); }

internal static class IntBits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SignExtend(ulong v, ulong mask)
    {
        int shift = 64 - BitOperations.PopCount(mask);
        return (long)(v << shift) >> shift;
    }
}

internal struct IAddOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (a + b) & i.Mask; }
internal struct ISubOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (a - b) & i.Mask; }
internal struct IAddSatOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (uint)(int)Math.Clamp((long)(int)a + (int)b, int.MinValue, int.MaxValue); }
internal struct ISubSatOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (uint)(int)Math.Clamp((long)(int)a - (int)b, int.MinValue, int.MaxValue); }
internal struct IMulLoOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (a * b) & i.Mask; }
internal struct IMulHiSOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        long x = IntBits.SignExtend(a, i.Mask), y = IntBits.SignExtend(b, i.Mask);
        if (i.Mask == ulong.MaxValue) return (ulong)Math.BigMul(x, y, out _);
        int bits = BitOperations.PopCount(i.Mask);
        return (ulong)((x * y) >> bits) & i.Mask;
    }
}
internal struct IMulHiUOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        if (i.Mask == ulong.MaxValue) return Math.BigMul(a, b, out _);
        int bits = BitOperations.PopCount(i.Mask);
        return ((a & i.Mask) * (b & i.Mask) >> bits) & i.Mask;
    }
}
internal struct IMulWideSOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (ulong)(IntBits.SignExtend(a, i.Mask) * IntBits.SignExtend(b, i.Mask)) & WideMask(i.Mask); public static ulong WideMask(ulong m) => m == 0xFFFF ? 0xFFFF_FFFFUL : ulong.MaxValue; }
internal struct IMulWideUOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (a & i.Mask) * (b & i.Mask); }
internal struct IMadLoOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => (a * b + c) & i.Mask; }
internal struct IMadHiSOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => (IMulHiSOp.Apply(a, b, i) + c) & i.Mask; }
internal struct IMadHiUOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => (IMulHiUOp.Apply(a, b, i) + c) & i.Mask; }
internal struct IMadWideSOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => (IMulWideSOp.Apply(a, b, i) + c) & IMulWideSOp.WideMask(i.Mask); }
internal struct IMadWideUOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => (IMulWideUOp.Apply(a, b, i) + c) & IMulWideSOp.WideMask(i.Mask); }
internal struct IMinSOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => IntBits.SignExtend(a, i.Mask) <= IntBits.SignExtend(b, i.Mask) ? a & i.Mask : b & i.Mask; }
internal struct IMaxSOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => IntBits.SignExtend(a, i.Mask) >= IntBits.SignExtend(b, i.Mask) ? a & i.Mask : b & i.Mask; }
internal struct IMinUOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => Math.Min(a & i.Mask, b & i.Mask); }
internal struct IMaxUOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => Math.Max(a & i.Mask, b & i.Mask); }
internal struct INegOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => (0 - a) & i.Mask; }
/// <summary>abs of the most negative value wraps to itself, as on the GPU.</summary>
internal struct IAbsOp : IUnaryLaneOp
{
    public static ulong Apply(ulong a, in DecodedInstruction i)
    {
        long v = IntBits.SignExtend(a, i.Mask);
        return (ulong)(v < 0 ? unchecked(-v) : v) & i.Mask;
    }
}
internal struct AndOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => a & b & i.Mask; }
internal struct OrOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (a | b) & i.Mask; }
internal struct XorOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => (a ^ b) & i.Mask; }
internal struct NotOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => ~a & i.Mask; }
internal struct CNotOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => (a & i.Mask) == 0 ? 1UL : 0UL; }
internal struct MovOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => a & i.Mask; }

/// <summary>Shift amounts are unsigned and clamp at the operand width (PTX): shl/shr.u give 0, shr.s the sign fill.</summary>
internal struct ShlOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        uint n = (uint)b;
        return n >= (uint)BitOperations.PopCount(i.Mask) ? 0 : (a << (int)n) & i.Mask;
    }
}
internal struct ShrUOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        uint n = (uint)b;
        return n >= (uint)BitOperations.PopCount(i.Mask) ? 0 : (a & i.Mask) >> (int)n;
    }
}
internal struct ShrSOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        int bits = BitOperations.PopCount(i.Mask);
        int n = (int)Math.Min((uint)b, (uint)bits - 1);
        return (ulong)(IntBits.SignExtend(a, i.Mask) >> n) & i.Mask;
    }
}
internal struct PopcOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => (ulong)BitOperations.PopCount(a & i.Mask); }
internal struct ClzOp : IUnaryLaneOp
{
    public static ulong Apply(ulong a, in DecodedInstruction i) =>
        i.Mask == ulong.MaxValue ? (ulong)BitOperations.LeadingZeroCount(a) : (ulong)BitOperations.LeadingZeroCount((uint)a);
}
/// <summary>
/// bfind: the position of the most significant 1 bit (signed types: of the most significant bit that differs from the
/// sign), or with .shiftamt the left shift that makes it the top bit; 0xFFFFFFFF when there is none (0, and −1 when signed).
/// </summary>
internal struct BfindOp : IUnaryLaneOp
{
    public static ulong Apply(ulong a, in DecodedInstruction i)
    {
        int bits = i.Mask == ulong.MaxValue ? 64 : 32;
        ulong v = a & i.Mask;
        if (PtxTypes.IsSigned(i.Type) && (v >> (bits - 1)) != 0) v = ~v & i.Mask;
        if (v == 0) return 0xFFFF_FFFFu;
        int position = 63 - BitOperations.LeadingZeroCount(v);
        return (i.Flags & InstrFlags.ShiftAmount) != 0 ? (ulong)(bits - 1 - position) : (ulong)position;
    }
}
internal struct BrevOp : IUnaryLaneOp
{
    public static ulong Apply(ulong a, in DecodedInstruction i)
    {
        ulong r = 0;
        int bits = BitOperations.PopCount(i.Mask);
        for (int k = 0; k < bits; k++) r |= ((a >> k) & 1) << (bits - 1 - k);
        return r;
    }
}
/// <summary>bfe: extract c bits from position b (both taken modulo 256; fields past the top replicate the
/// sign bit for .s, zero for .u).</summary>
internal struct BfeUOp : ITernaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i)
    {
        int bits = BitOperations.PopCount(i.Mask);
        int pos = (int)(b & 0xFF), len = (int)(c & 0xFF);
        ulong r = 0;
        for (int k = 0; k < len && k < bits; k++)
            if (pos + k < bits) r |= ((a >> (pos + k)) & 1) << k;
        return r;
    }
}
internal struct BfeSOp : ITernaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i)
    {
        int bits = BitOperations.PopCount(i.Mask);
        int pos = (int)(b & 0xFF), len = (int)(c & 0xFF);
        ulong sbit = len == 0 ? 0 : (a >> Math.Min(pos + len - 1, bits - 1)) & 1;
        ulong r = 0;
        for (int k = 0; k < bits; k++)
        {
            ulong bit = k < len ? (pos + k < bits ? (a >> (pos + k)) & 1 : sbit) : sbit;
            r |= bit << k;
        }
        return r & i.Mask;
    }
}
/// <summary>prmt (default mode): picks 4 bytes of {b, a} by the selector nibbles of c; selector bit 3
/// replicates the chosen byte's sign.</summary>
internal struct PrmtOp : ITernaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i)
    {
        ulong bytes = (a & 0xFFFF_FFFF) | ((b & 0xFFFF_FFFF) << 32);
        uint r = 0;
        for (int k = 0; k < 4; k++)
        {
            int sel = (int)(c >> (4 * k)) & 0xF;
            uint v = (uint)(bytes >> (8 * (sel & 7))) & 0xFF;
            if ((sel & 8) != 0) v = (v & 0x80) != 0 ? 0xFFu : 0u;
            r |= v << (8 * k);
        }
        return r;
    }
}
internal struct SelpOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => ((c & 1) != 0 ? a : b) & i.Mask; }
