namespace PaliCuda.Tests.Native;

/// <summary>Local bf16 conversions for the GEMM test: bf16 is the top 16 bits of an fp32.</summary>
internal static class TestBFloat16
{
    /// <summary>Round to nearest, ties to even (what hardware conversion does for finite values).</summary>
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);
}
