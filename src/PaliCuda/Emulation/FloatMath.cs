using System.Runtime.CompilerServices;

namespace PaliCuda.Emulation;

/// <summary>
/// Bit-exact helpers for PTX floating-point semantics that C# does not give directly: rounding a value
/// held exactly as a double pair to f32 in any IEEE mode, f16/bf16 rounding, flush-to-zero, canonical NaN.
/// </summary>
internal static class FloatMath
{
    /// <summary>The NaN a GPU produces for f32 results.</summary>
    public const uint CanonicalNaN32 = 0x7FFF_FFFFu;
    /// <summary>The NaN cvt produces for f16/bf16 results.</summary>
    public const ushort CanonicalNaN16 = 0x7FFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Ftz(float x) => float.IsSubnormal(x) ? (x < 0 ? -0f : 0f) : x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bits(float x) => float.IsNaN(x) ? CanonicalNaN32 : (uint)BitConverter.SingleToInt32Bits(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Single(ulong bits) => BitConverter.Int32BitsToSingle((int)(uint)bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Double(ulong bits) => BitConverter.Int64BitsToDouble((long)bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(double x) => (ulong)BitConverter.DoubleToInt64Bits(x);

    /// <summary>Saturates to [0, 1]; NaN becomes +0 (PTX .sat).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Saturate(float x) => float.IsNaN(x) ? 0f : x <= 0f ? (x == 0f ? x * 0f + 0f : 0f) : x >= 1f ? 1f : x;

    /// <summary>Knuth's TwoSum: hi + lo equals a + b exactly, hi = RN(a + b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (double Hi, double Lo) TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        double err = (a - (s - bb)) + (b - bb);
        return (s, err);
    }

    /// <summary>
    /// Rounds the exact value hi + lo to f32 in the given IEEE mode. hi must be the double nearest the
    /// exact value or the exact value itself (lo then being the exact remainder).
    /// </summary>
    public static float RoundToSingle(double hi, double lo, RoundingMode mode)
    {
        if (double.IsNaN(hi)) return float.NaN;
        float f = (float)hi;
        if (double.IsInfinity(hi)) return f;
        // r has the sign of (exact - f); hi - f is exact because f is hi rounded to fewer bits.
        double diff = double.IsInfinity(f) ? 0 : hi - f;
        double r = diff + lo;
        switch (mode)
        {
            case RoundingMode.Rz:
                if (float.IsInfinity(f)) return f > 0 ? float.MaxValue : -float.MaxValue;
                if (f != 0 && r != 0 && (r < 0) != (f < 0)) f = StepTowardZero(f);
                return f;
            case RoundingMode.Rm:
                if (float.IsPositiveInfinity(f)) return float.MaxValue;
                if (r < 0) f = MathF.BitDecrement(f);
                return f;
            case RoundingMode.Rp:
                if (float.IsNegativeInfinity(f)) return -float.MaxValue;
                if (r > 0) f = MathF.BitIncrement(f);
                return f;
            default:
                if (lo != 0 && !float.IsInfinity(f))
                {
                    double halfUlp = (MathF.BitIncrement(MathF.Abs(f)) - (double)MathF.Abs(f)) / 2;
                    // hi sat exactly on a midpoint and lo decides which way the exact value lies.
                    if (Math.Abs(diff) == halfUlp && Math.Sign(lo) == Math.Sign(diff))
                        f = diff > 0 ? MathF.BitIncrement(f) : MathF.BitDecrement(f);
                }
                return f;
        }
    }

    private static float StepTowardZero(float f) => f > 0 ? MathF.BitDecrement(f) : MathF.BitIncrement(f);

    /// <summary>Rounds hi + lo (hi nearest, lo remainder) to f64 in the given IEEE mode.</summary>
    public static double RoundToDouble(double hi, double lo, RoundingMode mode)
    {
        if (lo == 0 || double.IsNaN(hi) || double.IsInfinity(hi)) return hi;
        return mode switch
        {
            RoundingMode.Rz => (lo < 0) != (hi < 0) ? (hi > 0 ? Math.BitDecrement(hi) : Math.BitIncrement(hi)) : hi,
            RoundingMode.Rm => lo < 0 ? Math.BitDecrement(hi) : hi,
            RoundingMode.Rp => lo > 0 ? Math.BitIncrement(hi) : hi,
            _ => hi,
        };
    }

    /// <summary>f32 to bf16 bits in the given mode (NaN: canonical).</summary>
    public static ushort SingleToBFloat16(float x, RoundingMode mode)
    {
        if (float.IsNaN(x)) return CanonicalNaN16;
        uint bits = (uint)BitConverter.SingleToInt32Bits(x);
        uint upper = bits >> 16;
        bool inexact = (bits & 0xFFFF) != 0;
        bool negative = (bits >> 31) != 0;
        switch (mode)
        {
            case RoundingMode.Rz: return (ushort)upper;
            case RoundingMode.Rp: return (ushort)(inexact && !negative ? upper + 1 : upper);
            case RoundingMode.Rm: return (ushort)(inexact && negative ? upper + 1 : upper);
            default: return (ushort)((bits + 0x7FFFu + (upper & 1)) >> 16);
        }
    }

    /// <summary>f32 to f16 bits in the given mode (NaN: canonical).</summary>
    public static ushort SingleToHalf(float x, RoundingMode mode)
    {
        if (float.IsNaN(x)) return CanonicalNaN16;
        Half h = (Half)x;
        float back = (float)h;
        switch (mode)
        {
            case RoundingMode.Rz:
                if (MathF.Abs(back) > MathF.Abs(x)) h = back > 0 ? Half.BitDecrement(h) : Half.BitIncrement(h);
                break;
            case RoundingMode.Rm:
                if (back > x) h = Half.BitDecrement(h);
                break;
            case RoundingMode.Rp:
                if (back < x) h = Half.BitIncrement(h);
                break;
        }
        return BitConverter.HalfToUInt16Bits(h);
    }

    /// <summary>f64 rounded to odd f32: the f32 keeps enough information for a correct second rounding to 16 bits.</summary>
    public static float DoubleToSingleOdd(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) return (float)x;
        float f = RoundToSingle(x, 0, RoundingMode.Rz);
        if (f != x && !float.IsInfinity(f))
            f = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(f) | 1);
        return f;
    }

    public static float BFloat16ToSingle(ulong bits) => BitConverter.Int32BitsToSingle((int)((uint)(ushort)bits << 16));

    public static float HalfToSingle(ulong bits) => (float)BitConverter.UInt16BitsToHalf((ushort)bits);

    /// <summary>PTX min.f32: a NaN operand yields the other operand (both NaN: NaN); -0 is below +0.
    /// With .NaN, any NaN operand yields the canonical NaN.</summary>
    public static float Min(float a, float b, bool propagateNaN)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
            return propagateNaN || (float.IsNaN(a) && float.IsNaN(b)) ? float.NaN : float.IsNaN(a) ? b : a;
        if (a == b) return float.IsNegative(a) ? a : b;
        return a < b ? a : b;
    }

    public static float Max(float a, float b, bool propagateNaN)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
            return propagateNaN || (float.IsNaN(a) && float.IsNaN(b)) ? float.NaN : float.IsNaN(a) ? b : a;
        if (a == b) return float.IsNegative(a) ? b : a;
        return a > b ? a : b;
    }

    public static double Min(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) ? b : a;
        if (a == b) return double.IsNegative(a) ? a : b;
        return a < b ? a : b;
    }

    public static double Max(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) ? b : a;
        if (a == b) return double.IsNegative(a) ? b : a;
        return a > b ? a : b;
    }
}
