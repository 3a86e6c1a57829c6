using System.Runtime.CompilerServices;

namespace PaliCuda.Emulation;

// f32 and f64 lane operations. Round-to-nearest uses C#'s IEEE arithmetic directly; the directed modes
// (.rz/.rm/.rp) compute the exact result as a double pair and round it once (FloatMath.RoundToSingle).

internal static class F32
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float In(ulong bits, in DecodedInstruction i)
    {
        float x = FloatMath.Single(bits);
        return (i.Flags & InstrFlags.Ftz) != 0 ? FloatMath.Ftz(x) : x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Out(float x, in DecodedInstruction i)
    {
        if (i.Flags != InstrFlags.None)
        {
            if ((i.Flags & InstrFlags.Ftz) != 0) x = FloatMath.Ftz(x);
            if ((i.Flags & InstrFlags.Sat) != 0) x = FloatMath.Saturate(x);
        }
        return FloatMath.Bits(x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Directed(in DecodedInstruction i) => i.Rounding is RoundingMode.Rz or RoundingMode.Rm or RoundingMode.Rp;
}

internal struct FAddOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        float x = F32.In(a, i), y = F32.In(b, i);
        if (!F32.Directed(i)) return F32.Out(x + y, i);
        var (hi, lo) = FloatMath.TwoSum(x, y);
        return F32.Out(FloatMath.RoundToSingle(hi, lo, i.Rounding), i);
    }
}
internal struct FSubOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        float x = F32.In(a, i), y = F32.In(b, i);
        if (!F32.Directed(i)) return F32.Out(x - y, i);
        var (hi, lo) = FloatMath.TwoSum(x, -(double)y);
        return F32.Out(FloatMath.RoundToSingle(hi, lo, i.Rounding), i);
    }
}
internal struct FMulOp : IBinaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        float x = F32.In(a, i), y = F32.In(b, i);
        if (!F32.Directed(i)) return F32.Out(x * y, i);
        // A product of two f32 values is exact in a double (24 + 24 bits <= 53).
        return F32.Out(FloatMath.RoundToSingle((double)x * y, 0, i.Rounding), i);
    }
}
internal struct FFmaOp : ITernaryLaneOp
{
    public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i)
    {
        float x = F32.In(a, i), y = F32.In(b, i), z = F32.In(c, i);
        if (!F32.Directed(i)) return F32.Out(MathF.FusedMultiplyAdd(x, y, z), i);
        var (hi, lo) = FloatMath.TwoSum((double)x * y, z);
        return F32.Out(FloatMath.RoundToSingle(hi, lo, i.Rounding), i);
    }
}
internal struct FDivOp : IBinaryLaneOp
{
    private static readonly float DivApproxDivisorLimit = MathF.ScaleB(1f, 126);
    public static ulong Apply(ulong a, ulong b, in DecodedInstruction i)
    {
        float x = F32.In(a, i), y = F32.In(b, i);
        // div.approx is a * (1/b): for 2^126 < |b| < 2^128 the ISA states the result is ±0, or NaN when a is ±∞.
        if ((i.Flags & (InstrFlags.Approx | InstrFlags.FullRange)) == InstrFlags.Approx && float.IsFinite(y) && MathF.Abs(y) > DivApproxDivisorLimit)
            return F32.Out(float.IsInfinity(x) ? float.NaN : float.IsNegative(x) ^ float.IsNegative(y) ? -0f : 0f, i);
        if (!F32.Directed(i)) return F32.Out(x / y, i);
        double q = (double)x / y;
        // The remainder x - q*y is exact by FMA; rem / y approximates (true quotient - q), sign exact.
        double rem = Math.FusedMultiplyAdd(-q, y, x);
        return F32.Out(FloatMath.RoundToSingle(q, rem / y, i.Rounding), i);
    }
}
internal struct FMinOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => F32.Out(FloatMath.Min(F32.In(a, i), F32.In(b, i), (i.Flags & InstrFlags.PropagateNaN) != 0), i); }
internal struct FMaxOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => F32.Out(FloatMath.Max(F32.In(a, i), F32.In(b, i), (i.Flags & InstrFlags.PropagateNaN) != 0), i); }
/// <summary>neg/abs only flip or clear the sign bit (NaN payloads pass through), after ftz.</summary>
internal struct FNegOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => (uint)BitConverter.SingleToInt32Bits(F32.In(a, i)) ^ 0x8000_0000u; }
internal struct FAbsOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => (uint)BitConverter.SingleToInt32Bits(F32.In(a, i)) & 0x7FFF_FFFFu; }
internal struct FSqrtOp : IUnaryLaneOp
{
    public static ulong Apply(ulong a, in DecodedInstruction i)
    {
        float x = F32.In(a, i);
        if (!F32.Directed(i)) return F32.Out(MathF.Sqrt(x), i);
        double r = Math.Sqrt(x);
        // r is the double nearest sqrt(x); (x - r*r) / 2r approximates (true root - r) with the right sign.
        return F32.Out(FloatMath.RoundToSingle(r, r == 0 || double.IsNaN(r) || double.IsInfinity(r) ? 0 : Math.FusedMultiplyAdd(-r, r, x) / (2 * r), i.Rounding), i);
    }
}
// The .approx functions below are computed accurately in double and rounded once; a GPU's approximations
// differ from these by a few ulp, which is what tests of approx results must allow for.
internal struct FRsqrtOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => F32.Out((float)(1.0 / Math.Sqrt(F32.In(a, i))), i); }
internal struct FRcpOp : IUnaryLaneOp
{
    public static ulong Apply(ulong a, in DecodedInstruction i)
    {
        float x = F32.In(a, i);
        if (!F32.Directed(i)) return F32.Out(1f / x, i);
        double q = 1.0 / x;
        return F32.Out(FloatMath.RoundToSingle(q, double.IsInfinity(q) || q == 0 ? 0 : Math.FusedMultiplyAdd(-q, x, 1.0) / x, i.Rounding), i);
    }
}
internal struct FEx2Op : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => F32.Out((float)Math.Pow(2.0, F32.In(a, i)), i); }
internal struct FLg2Op : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => F32.Out((float)Math.Log2(F32.In(a, i)), i); }
internal struct FSinOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => F32.Out((float)Math.Sin(F32.In(a, i)), i); }
internal struct FCosOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => F32.Out((float)Math.Cos(F32.In(a, i)), i); }
internal struct FTanhOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => F32.Out((float)Math.Tanh(F32.In(a, i)), i); }

internal struct DAddOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => FloatMath.Bits(FloatMath.Double(a) + FloatMath.Double(b)); }
internal struct DSubOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => FloatMath.Bits(FloatMath.Double(a) - FloatMath.Double(b)); }
internal struct DMulOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => FloatMath.Bits(FloatMath.Double(a) * FloatMath.Double(b)); }
internal struct DFmaOp : ITernaryLaneOp { public static ulong Apply(ulong a, ulong b, ulong c, in DecodedInstruction i) => FloatMath.Bits(Math.FusedMultiplyAdd(FloatMath.Double(a), FloatMath.Double(b), FloatMath.Double(c))); }
internal struct DDivOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => FloatMath.Bits(FloatMath.Double(a) / FloatMath.Double(b)); }
internal struct DMinOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => FloatMath.Bits(FloatMath.Min(FloatMath.Double(a), FloatMath.Double(b))); }
internal struct DMaxOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => FloatMath.Bits(FloatMath.Max(FloatMath.Double(a), FloatMath.Double(b))); }
internal struct DNegOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => a ^ 0x8000_0000_0000_0000UL; }
internal struct DAbsOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => a & 0x7FFF_FFFF_FFFF_FFFFUL; }
internal struct DSqrtOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => FloatMath.Bits(Math.Sqrt(FloatMath.Double(a))); }
internal struct DRcpOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => FloatMath.Bits(1.0 / FloatMath.Double(a)); }
internal struct DRsqrtOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => FloatMath.Bits(1.0 / Math.Sqrt(FloatMath.Double(a))); }
internal struct CvtOp : IUnaryLaneOp { public static ulong Apply(ulong a, in DecodedInstruction i) => Conversions.Convert(a, i.Type, i.SrcType, i.Rounding, i.Flags); }
internal struct CvtPackedOp : IBinaryLaneOp { public static ulong Apply(ulong a, ulong b, in DecodedInstruction i) => Conversions.ConvertPacked(a, b, i.Type, i.Rounding, i.Flags); }
