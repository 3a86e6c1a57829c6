namespace PaliCuda.Emulation;

/// <summary>The semantics of PTX cvt between integer and floating-point types, with every rounding mode,
/// saturation (float-to-integer always saturates, NaN becomes 0) and flush-to-zero.</summary>
internal static class Conversions
{
    private static bool IsIntegralRounding(RoundingMode r) => r is RoundingMode.Rni or RoundingMode.Rzi or RoundingMode.Rmi or RoundingMode.Rpi;

    private static bool IsIeeeRounding(RoundingMode r) => r is RoundingMode.Rn or RoundingMode.Rz or RoundingMode.Rm or RoundingMode.Rp;

    private static int Rank(PtxType t) => t switch
    {
        PtxType.F16 or PtxType.BF16 or PtxType.F16x2 or PtxType.BF16x2 => 1,
        PtxType.F32 => 2,
        PtxType.F64 => 3,
        _ => 0,
    };

    /// <summary>Null when the conversion is supported, else why not.</summary>
    public static string? Validate(PtxType dst, PtxType src, RoundingMode r, InstrFlags flags)
    {
        bool dstFloat = PtxTypes.IsFloat(dst), srcFloat = PtxTypes.IsFloat(src);
        if (dst == PtxType.Pred || src == PtxType.Pred || dst == PtxType.B128 || src == PtxType.B128) return "predicate and .b128 conversions are not supported";
        if (src is PtxType.F16x2 or PtxType.BF16x2) return "packed sources are not supported";
        if (dst is PtxType.F16x2 or PtxType.BF16x2)
            return src == PtxType.F32 && IsIeeeRounding(r) && (dst == PtxType.BF16x2 || r == RoundingMode.Rn) ? null
                : "packed conversion needs .f32 sources and a rounding mode (.rn for f16x2)";
        if (!dstFloat && !srcFloat) return r == RoundingMode.Default ? null : "integer-to-integer conversion takes no rounding mode";
        if (!dstFloat) return IsIntegralRounding(r) ? null : "float-to-integer conversion needs .rni/.rzi/.rmi/.rpi";
        if (!srcFloat) return IsIeeeRounding(r) ? null : "integer-to-float conversion needs .rn/.rz/.rm/.rp";
        if (dst == src) return r == RoundingMode.Default || IsIntegralRounding(r) ? null : "same-type conversion takes only an integral rounding";
        if (Rank(dst) > Rank(src)) return r == RoundingMode.Default ? null : "widening conversion takes no rounding mode";
        if (Rank(dst) == Rank(src)) return "f16 <-> bf16 conversion is not supported";
        return IsIeeeRounding(r) ? null : "narrowing conversion needs .rn/.rz/.rm/.rp";
    }

    /// <summary>Converts a register value of type <paramref name="src"/> to the bits of type <paramref name="dst"/>.</summary>
    public static ulong Convert(ulong a, PtxType dst, PtxType src, RoundingMode r, InstrFlags flags)
    {
        bool ftz = (flags & InstrFlags.Ftz) != 0, sat = (flags & InstrFlags.Sat) != 0;
        if (PtxTypes.IsInteger(src))
        {
            Int128 v = ReadInteger(a, src);
            if (PtxTypes.IsInteger(dst))
                return (ulong)(sat ? Clamp(v, dst) : v) & PtxTypes.MaskOf(dst);
            double hi = (double)v;
            double lo = (double)(v - (Int128)hi);
            return FromExact(hi, lo, dst, r, ftz, sat);
        }

        double x = ReadFloat(a, src, ftz);
        if (PtxTypes.IsInteger(dst))
        {
            if (double.IsNaN(x)) return 0;
            double rounded = RoundIntegral(x, r);
            return (ulong)Clamp(rounded, dst) & PtxTypes.MaskOf(dst);
        }
        if (dst == src)
        {
            if (IsIntegralRounding(r)) x = RoundIntegral(x, r);
            return FromExact(x, 0, dst, RoundingMode.Rn, ftz, sat);
        }
        return FromExact(x, 0, dst, r, ftz, sat);
    }

    /// <summary>Packs two f32 values: a converted into the upper half, b into the lower half.</summary>
    public static ulong ConvertPacked(ulong a, ulong b, PtxType dst, RoundingMode r, InstrFlags flags)
    {
        var half = dst == PtxType.BF16x2 ? PtxType.BF16 : PtxType.F16;
        ulong hi = Convert(a, half, PtxType.F32, r, flags);
        ulong lo = Convert(b, half, PtxType.F32, r, flags);
        return (hi << 16) | lo;
    }

    private static Int128 ReadInteger(ulong a, PtxType t)
    {
        int bits = PtxTypes.BitsOf(t);
        if (!PtxTypes.IsSigned(t)) return (Int128)(bits == 64 ? a : a & ((1UL << bits) - 1));
        int shift = 64 - bits;
        return (Int128)((long)(a << shift) >> shift);
    }

    private static double ReadFloat(ulong a, PtxType t, bool ftz) => t switch
    {
        PtxType.F16 => FloatMath.HalfToSingle(a),
        PtxType.BF16 => FloatMath.BFloat16ToSingle(a),
        PtxType.F32 => ftz ? FloatMath.Ftz(FloatMath.Single(a)) : FloatMath.Single(a),
        _ => FloatMath.Double(a),
    };

    private static double RoundIntegral(double x, RoundingMode r) => r switch
    {
        RoundingMode.Rni => Math.Round(x, MidpointRounding.ToEven),
        RoundingMode.Rzi => Math.Truncate(x),
        RoundingMode.Rmi => Math.Floor(x),
        RoundingMode.Rpi => Math.Ceiling(x),
        _ => x,
    };

    private static (Int128 Min, Int128 Max) RangeOf(PtxType t)
    {
        int bits = PtxTypes.BitsOf(t);
        return PtxTypes.IsSigned(t)
            ? (-(Int128.One << (bits - 1)), (Int128.One << (bits - 1)) - 1)
            : (Int128.Zero, (Int128.One << bits) - 1);
    }

    private static Int128 Clamp(Int128 v, PtxType t)
    {
        var (min, max) = RangeOf(t);
        return v < min ? min : v > max ? max : v;
    }

    private static Int128 Clamp(double x, PtxType t)
    {
        var (min, max) = RangeOf(t);
        if (x <= (double)min) return min;
        if (x >= (double)max) return max;
        return (Int128)x;
    }

    private static ulong FromExact(double hi, double lo, PtxType dst, RoundingMode r, bool ftz, bool sat)
    {
        switch (dst)
        {
            case PtxType.F64:
            {
                double d = FloatMath.RoundToDouble(hi, lo, r);
                if (sat) d = double.IsNaN(d) ? 0 : Math.Clamp(d, 0.0, 1.0);
                return FloatMath.Bits(d);
            }
            case PtxType.F32:
            {
                float f = FloatMath.RoundToSingle(hi, lo, r);
                if (ftz) f = FloatMath.Ftz(f);
                if (sat) f = FloatMath.Saturate(f);
                return FloatMath.Bits(f);
            }
            default:
            {
                // Round to odd in f32 first (exact when the value already fits), then once to 16 bits.
                float f = lo == 0 && (float)hi == hi ? (float)hi : FloatMath.DoubleToSingleOdd(hi + lo);
                if (ftz) f = FloatMath.Ftz(f);
                if (sat) f = FloatMath.Saturate(f);
                return dst == PtxType.BF16 ? FloatMath.SingleToBFloat16(f, r) : FloatMath.SingleToHalf(f, r);
            }
        }
    }
}
