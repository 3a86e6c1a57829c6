using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace PaliCuda.Numerics;

/// <summary>
/// Brain floating point: the upper 16 bits of an IEEE float32 (1 sign, 8 exponent, 7 mantissa bits). Widening to
/// float32 is exact; narrowing rounds to nearest, ties to even, the way PyTorch and CUDA's <c>__float2bfloat16</c> do.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 2)]
public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>
{
    /// <summary>The bit pattern.</summary>
    public ushort RawValue { get; }

    private BFloat16(ushort raw) => RawValue = raw;

    public static BFloat16 FromBits(ushort raw) => new(raw);

    public static BFloat16 PositiveInfinity => new(0x7F80);
    public static BFloat16 NegativeInfinity => new(0xFF80);
    public static BFloat16 NaN => new(0x7FC0);
    public static BFloat16 Zero => new(0x0000);
    public static BFloat16 One => new(0x3F80);
    /// <summary>Largest finite value, (2 − 2^-7)·2^127.</summary>
    public static BFloat16 MaxValue => new(0x7F7F);

    public static bool IsNaN(BFloat16 value) => (value.RawValue & 0x7FFF) > 0x7F80;
    public static bool IsInfinity(BFloat16 value) => (value.RawValue & 0x7FFF) == 0x7F80;
    public static bool IsFinite(BFloat16 value) => (value.RawValue & 0x7F80) != 0x7F80;

    /// <summary>Round to nearest even. NaN stays NaN (made quiet, sign kept); values past MaxValue round to infinity.</summary>
    public static ushort RoundToBits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
            return (ushort)((bits >> 16) | 0x0040);
        // Adding 0x7FFF plus the lowest kept bit rounds up exactly when the dropped half is above 0x8000, or equal
        // to it with an odd kept part. A carry into the exponent is the correct result (including overflow to inf).
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static explicit operator BFloat16(float value) => new(RoundToBits(value));
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.RawValue << 16);

    public float ToSingle() => this;

    /// <summary>IEEE comparison: NaN ≠ NaN, +0 == −0.</summary>
    public static bool operator ==(BFloat16 a, BFloat16 b) => (float)a == (float)b;
    public static bool operator !=(BFloat16 a, BFloat16 b) => (float)a != (float)b;

    /// <summary>Like <see cref="float.Equals(float)"/>: NaN equals NaN, +0 equals −0, so it works as a dictionary key.</summary>
    public bool Equals(BFloat16 other) => ((float)this).Equals((float)other);
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);
    public override int GetHashCode() => ((float)this).GetHashCode();
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo((float)other);

    /// <summary>The shortest float32 text that reads back as this value.</summary>
    public override string ToString() => ((float)this).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Widens every element exactly.</summary>
    public static void ToSingle(ReadOnlySpan<BFloat16> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        var src = MemoryMarshal.Cast<BFloat16, ushort>(source);
        var dst = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<ushort>.Count;
            for (; i <= src.Length - step; i += step)
            {
                Vector.Widen(new Vector<ushort>(src.Slice(i, step)), out Vector<uint> low, out Vector<uint> high);
                Vector.ShiftLeft(low, 16).CopyTo(dst.Slice(i, step / 2));
                Vector.ShiftLeft(high, 16).CopyTo(dst.Slice(i + step / 2, step / 2));
            }
        }
        for (; i < src.Length; i++)
            dst[i] = (uint)src[i] << 16;
    }

    /// <summary>Narrows every element with <see cref="RoundToBits"/>.</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<BFloat16> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        var src = MemoryMarshal.Cast<float, uint>(source);
        var dst = MemoryMarshal.Cast<BFloat16, ushort>(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<ushort>.Count;
            int half = step / 2;
            for (; i <= src.Length - step; i += step)
            {
                var low = RoundVector(new Vector<uint>(src.Slice(i, half)));
                var high = RoundVector(new Vector<uint>(src.Slice(i + half, half)));
                Vector.Narrow(low, high).CopyTo(dst.Slice(i, step));
            }
        }
        for (; i < src.Length; i++)
            dst[i] = RoundToBits(BitConverter.UInt32BitsToSingle(src[i]));
    }

    /// <summary>The vector form of <see cref="RoundToBits"/>, leaving the 16-bit result in the low half of each lane.</summary>
    private static Vector<uint> RoundVector(Vector<uint> bits)
    {
        var magnitude = bits & new Vector<uint>(0x7FFF_FFFF);
        var isNaN = Vector.GreaterThan(magnitude, new Vector<uint>(0x7F80_0000));
        var quietNaN = Vector.ShiftRightLogical(bits, 16) | new Vector<uint>(0x0040);
        var bias = new Vector<uint>(0x7FFF) + (Vector.ShiftRightLogical(bits, 16) & Vector<uint>.One);
        var rounded = Vector.ShiftRightLogical(bits + bias, 16);
        return Vector.ConditionalSelect(isNaN, quietNaN, rounded);
    }
}
