namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// The accurate integer inverse DCT of libjpeg (JDCT_ISLOW, the default of libjpeg-turbo and so of Pillow),
/// written from the published algorithm: the Loeffler–Ligtenberg–Moschytz 8-point IDCT with 12 multiplies, constants
/// scaled by 2^13 (CONST_BITS), a column pass that keeps 2 extra fraction bits (PASS1_BITS), a row pass that drops
/// them, each rounded half-up (DESCALE), and libjpeg's post-IDCT range-limit table around the centre sample 128.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    // round(c * 2^13) of the rotation constants (c = sqrt(2)·cos/sin combinations of the LLM factorisation).
    private const long Fix0_298631336 = 2446;
    private const long Fix0_390180644 = 3196;
    private const long Fix0_541196100 = 4433;
    private const long Fix0_765366865 = 6270;
    private const long Fix0_899976223 = 7373;
    private const long Fix1_175875602 = 9633;
    private const long Fix1_501321110 = 12299;
    private const long Fix1_847759065 = 15137;
    private const long Fix1_961570560 = 16069;
    private const long Fix2_053119869 = 16819;
    private const long Fix2_562915447 = 20995;
    private const long Fix3_072711026 = 25172;

    /// <summary>Rounds x / 2^n half up, as libjpeg's DESCALE (arithmetic shift).</summary>
    private static long Descale(long x, int n) => (x + (1L << (n - 1))) >> n;

    /// <summary>
    /// libjpeg's post-IDCT range limit: the output index is taken modulo 1024 (RANGE_MASK) and mapped so that
    /// -128..127 become 0..255, 128..511 clamp to 255 and -512..-129 clamp to 0 (larger values wrap, as in libjpeg).
    /// </summary>
    internal static byte RangeLimit(long value)
    {
        int index = (int)(value & 1023);
        if (index < 128)
            return (byte)(index + 128);
        if (index < 512)
            return 255;
        if (index < 896)
            return 0;
        return (byte)(index - 896);
    }

    /// <summary>
    /// Transforms one block: <paramref name="coefficients"/> (natural order, not yet dequantised) times
    /// <paramref name="quant"/> (natural order, each value as libjpeg's 16-bit multiplier) into 8×8 samples written
    /// to <paramref name="output"/> at <paramref name="offset"/> with row stride <paramref name="stride"/>.
    /// </summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<short> quant, Span<byte> output, int offset, int stride)
    {
        Span<int> workspace = stackalloc int[64];

        // Pass 1: columns. A column whose AC terms are all zero is flat: its DC scaled by 2^PASS1_BITS.
        for (int c = 0; c < 8; c++)
        {
            if (coefficients[8 + c] == 0 && coefficients[16 + c] == 0 && coefficients[24 + c] == 0 && coefficients[32 + c] == 0
                && coefficients[40 + c] == 0 && coefficients[48 + c] == 0 && coefficients[56 + c] == 0)
            {
                int dc = coefficients[c] * quant[c] << Pass1Bits;
                for (int r = 0; r < 8; r++)
                    workspace[r * 8 + c] = dc;
                continue;
            }

            long d0 = coefficients[c] * quant[c], d1 = coefficients[8 + c] * quant[8 + c];
            long d2 = coefficients[16 + c] * quant[16 + c], d3 = coefficients[24 + c] * quant[24 + c];
            long d4 = coefficients[32 + c] * quant[32 + c], d5 = coefficients[40 + c] * quant[40 + c];
            long d6 = coefficients[48 + c] * quant[48 + c], d7 = coefficients[56 + c] * quant[56 + c];
            Butterfly(d0, d1, d2, d3, d4, d5, d6, d7, out long o0, out long o1, out long o2, out long o3, out long o4, out long o5, out long o6, out long o7);
            const int shift = ConstBits - Pass1Bits;
            workspace[c] = (int)Descale(o0, shift);
            workspace[8 + c] = (int)Descale(o1, shift);
            workspace[16 + c] = (int)Descale(o2, shift);
            workspace[24 + c] = (int)Descale(o3, shift);
            workspace[32 + c] = (int)Descale(o4, shift);
            workspace[40 + c] = (int)Descale(o5, shift);
            workspace[48 + c] = (int)Descale(o6, shift);
            workspace[56 + c] = (int)Descale(o7, shift);
        }

        // Pass 2: rows, dropping the PASS1_BITS and the factor 8 of the 2-D transform's scaling. (libjpeg's
        // shortcut for a row with zero AC terms gives the same value as the full butterfly, so none is needed.)
        for (int r = 0; r < 8; r++)
        {
            int w = r * 8;
            Butterfly(workspace[w], workspace[w + 1], workspace[w + 2], workspace[w + 3], workspace[w + 4], workspace[w + 5], workspace[w + 6], workspace[w + 7],
                out long o0, out long o1, out long o2, out long o3, out long o4, out long o5, out long o6, out long o7);
            const int shift = ConstBits + Pass1Bits + 3;
            int o = offset + r * stride;
            output[o] = RangeLimit(Descale(o0, shift));
            output[o + 1] = RangeLimit(Descale(o1, shift));
            output[o + 2] = RangeLimit(Descale(o2, shift));
            output[o + 3] = RangeLimit(Descale(o3, shift));
            output[o + 4] = RangeLimit(Descale(o4, shift));
            output[o + 5] = RangeLimit(Descale(o5, shift));
            output[o + 6] = RangeLimit(Descale(o6, shift));
            output[o + 7] = RangeLimit(Descale(o7, shift));
        }
    }

    /// <summary>One 8-point LLM IDCT on inputs x0..x7; outputs are scaled by 2^CONST_BITS, not yet descaled.</summary>
    private static void Butterfly(long x0, long x1, long x2, long x3, long x4, long x5, long x6, long x7,
        out long o0, out long o1, out long o2, out long o3, out long o4, out long o5, out long o6, out long o7)
    {
        // Even part: the rotation of inputs 2 and 6 by sqrt(2)·c6, and the sum/difference of 0 and 4.
        long z1 = (x2 + x6) * Fix0_541196100;
        long even2 = z1 - x6 * Fix1_847759065;
        long even3 = z1 + x2 * Fix0_765366865;
        long even0 = (x0 + x4) << ConstBits;
        long even1 = (x0 - x4) << ConstBits;
        long e10 = even0 + even3, e13 = even0 - even3, e11 = even1 + even2, e12 = even1 - even2;

        // Odd part: inputs 7, 5, 3, 1 through the shared z5 rotation.
        long t0 = x7, t1 = x5, t2 = x3, t3 = x1;
        long za = t0 + t3, zb = t1 + t2, zc = t0 + t2, zd = t1 + t3;
        long z5 = (zc + zd) * Fix1_175875602;
        t0 *= Fix0_298631336;
        t1 *= Fix2_053119869;
        t2 *= Fix3_072711026;
        t3 *= Fix1_501321110;
        za *= -Fix0_899976223;
        zb *= -Fix2_562915447;
        zc = zc * -Fix1_961570560 + z5;
        zd = zd * -Fix0_390180644 + z5;
        t0 += za + zc;
        t1 += zb + zd;
        t2 += zb + zc;
        t3 += za + zd;

        o0 = e10 + t3;
        o7 = e10 - t3;
        o1 = e11 + t2;
        o6 = e11 - t2;
        o2 = e12 + t1;
        o5 = e12 - t1;
        o3 = e13 + t0;
        o4 = e13 - t0;
    }
}
