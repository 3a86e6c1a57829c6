using System.Globalization;

namespace PaliCuda.Emulation;

/// <summary>Turns PTX numeric literals into the raw bits of a value of a given type:
/// 0fXXXXXXXX (f32 bits), 0dXXXXXXXXXXXXXXXX (f64 bits), hex/octal/decimal integers, decimal floats.</summary>
internal static class PtxLiterals
{
    public static ulong? Parse(string literal, PtxType type)
    {
        bool neg = literal.StartsWith('-');
        string s = neg ? literal[1..] : literal;
        ulong mask = PtxTypes.MaskOf(type);
        if (s.Length == 10 && (s.StartsWith("0f") || s.StartsWith("0F")))
        {
            if (!uint.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint fb)) return null;
            if (neg) fb ^= 0x8000_0000u;
            return type switch
            {
                PtxType.F32 or PtxType.B32 or PtxType.U32 or PtxType.S32 => fb,
                PtxType.F64 => (ulong)BitConverter.DoubleToInt64Bits(BitConverter.Int32BitsToSingle((int)fb)),
                _ => null,
            };
        }
        if (s.Length == 18 && (s.StartsWith("0d") || s.StartsWith("0D")))
        {
            if (!ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong db)) return null;
            if (neg) db ^= 0x8000_0000_0000_0000UL;
            return type switch
            {
                PtxType.F64 or PtxType.B64 or PtxType.U64 or PtxType.S64 => db,
                PtxType.F32 => (uint)BitConverter.SingleToInt32Bits((float)BitConverter.Int64BitsToDouble((long)db)),
                _ => null,
            };
        }
        if (PtxParser.TryParseInteger(s, out long iv))
        {
            if (type == PtxType.F32) return (uint)BitConverter.SingleToInt32Bits(neg ? -(float)iv : iv);
            if (type == PtxType.F64) return (ulong)BitConverter.DoubleToInt64Bits(neg ? -(double)iv : iv);
            if (PtxTypes.IsFloat(type)) return null;
            return (ulong)(neg ? -iv : iv) & mask;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double dv))
        {
            if (neg) dv = -dv;
            if (type == PtxType.F32) return (uint)BitConverter.SingleToInt32Bits((float)dv);
            if (type == PtxType.F64) return (ulong)BitConverter.DoubleToInt64Bits(dv);
        }
        return null;
    }
}
