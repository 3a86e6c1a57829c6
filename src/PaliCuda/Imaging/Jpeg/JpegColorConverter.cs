namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// YCbCr → RGB with libjpeg's fixed-point tables (JFIF/BT.601 full range): R = Y + 1.402·Cr', G = Y − 0.34414·Cb' −
/// 0.71414·Cr', B = Y + 1.772·Cb' where Cb' = Cb − 128, Cr' = Cr − 128; the factors are rounded to 16 fraction bits
/// (SCALEBITS), each product is rounded half up (ONE_HALF) — for G the two products are summed before rounding — and
/// the result is clamped to 0..255.
/// </summary>
internal static class JpegColorConverter
{
    private const int ScaleBits = 16;
    private const long OneHalf = 1L << (ScaleBits - 1);

    private static long Fix(double x) => (long)(x * (1L << ScaleBits) + 0.5);

    private static readonly int[] CrToR = new int[256];
    private static readonly int[] CbToB = new int[256];
    private static readonly long[] CrToG = new long[256];
    private static readonly long[] CbToG = new long[256];

    static JpegColorConverter()
    {
        for (int i = 0; i < 256; i++)
        {
            long x = i - 128;
            CrToR[i] = (int)((Fix(1.40200) * x + OneHalf) >> ScaleBits);
            CbToB[i] = (int)((Fix(1.77200) * x + OneHalf) >> ScaleBits);
            CrToG[i] = -Fix(0.71414) * x;
            CbToG[i] = -Fix(0.34414) * x + OneHalf;
        }
    }

    private static byte Clamp(int v) => v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;

    /// <summary>Converts full-resolution Y, Cb, Cr planes (width × height each) into interleaved RGB.</summary>
    public static void YCbCrToRgb(byte[] y, byte[] cb, byte[] cr, byte[] rgb)
    {
        for (int i = 0; i < y.Length; i++)
        {
            int luma = y[i], blue = cb[i], red = cr[i];
            rgb[i * 3] = Clamp(luma + CrToR[red]);
            rgb[i * 3 + 1] = Clamp(luma + (int)((CbToG[blue] + CrToG[red]) >> ScaleBits));
            rgb[i * 3 + 2] = Clamp(luma + CbToB[blue]);
        }
    }

    /// <summary>Interleaves three full-resolution planes that already are R, G, B.</summary>
    public static void Interleave(byte[] r, byte[] g, byte[] b, byte[] rgb)
    {
        for (int i = 0; i < r.Length; i++)
        {
            rgb[i * 3] = r[i];
            rgb[i * 3 + 1] = g[i];
            rgb[i * 3 + 2] = b[i];
        }
    }

    /// <summary>Replicates a grey plane into R = G = B.</summary>
    public static void GreyToRgb(byte[] grey, byte[] rgb)
    {
        for (int i = 0; i < grey.Length; i++)
            rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = grey[i];
    }
}
