namespace PaliCuda.Quantization;

/// <summary>
/// The OCP fp8 e4m3 ("e4m3fn") element type that Hopper tensor cores and cuBLASLt use: 1 sign bit, 4 exponent bits
/// (bias 7), 3 mantissa bits; no infinities; S.1111.111 is NaN, so the largest finite value is 448 (S.1111.110).
/// Subnormals are m · 2⁻⁹ (exponent field 0).
/// </summary>
public static class Fp8E4M3
{
    public const float MaxValue = 448f;
    private const byte MaxFiniteBits = 0x7E;
    private const byte NaNBits = 0x7F;
    private const float MinNormal = 1f / 64;        // 2⁻⁶
    private const float SubnormalStep = 1f / 512;   // 2⁻⁹

    /// <summary>
    /// Round to nearest even, saturating: magnitudes beyond 448 (after rounding) become ±448, as
    /// <c>__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3)</c> does; NaN stays NaN.
    /// </summary>
    public static byte FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        byte sign = (byte)((bits >> 24) & 0x80);
        float magnitude = MathF.Abs(value);
        if (float.IsNaN(value)) return (byte)(sign | NaNBits);
        if (magnitude >= MaxValue) return (byte)(sign | MaxFiniteBits);
        if (magnitude < MinNormal)
        {
            // m · 2⁻⁹ with m ∈ [0, 8]; m = 8 is the encoding of the smallest normal (exponent 1, mantissa 0).
            // The division is exact (a power of two), so the only rounding is the one to an integer.
            return (byte)(sign | (int)MathF.Round(magnitude / SubnormalStep, MidpointRounding.ToEven));
        }
        // Normal: drop 20 of float32's 23 mantissa bits with round-half-even and rebias the exponent 127 → 7. A carry
        // out of the mantissa correctly bumps the exponent.
        uint abs = bits & 0x7FFF_FFFF;
        uint rounded = abs + 0x7FFFF + ((abs >> 20) & 1);
        int code = (int)(rounded >> 20) - ((127 - 7) << 3);
        return (byte)(sign | Math.Min(code, MaxFiniteBits));
    }

    public static float ToSingle(byte bits)
    {
        int exponent = (bits >> 3) & 0xF, mantissa = bits & 0x7;
        float sign = (bits & 0x80) != 0 ? -1f : 1f;
        if ((bits & 0x7F) == NaNBits) return float.NaN;
        if (exponent == 0) return sign * mantissa * SubnormalStep;
        return sign * (1f + mantissa / 8f) * MathF.ScaleB(1f, exponent - 7);
    }
}
