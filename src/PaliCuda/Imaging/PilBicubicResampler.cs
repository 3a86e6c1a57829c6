namespace PaliCuda.Imaging;

/// <summary>
/// Resizes 8-bit RGB images exactly like Pillow's <c>Image.resize(size, Image.BICUBIC)</c> (libImaging
/// Resample.c, Pillow 9.x): a separable bicubic filter (a = -0.5) whose support widens by the downscale factor
/// (antialiasing), coefficients computed in double and normalised to sum 1, then turned into 22-bit fixed point;
/// a horizontal pass into an intermediate 8-bit image, then a vertical pass, each rounding and clipping to 0..255.
/// A pass whose size does not change is skipped, as in Pillow.
/// </summary>
public static class PilBicubicResampler
{
    // Pillow: PRECISION_BITS = 32 - 8 - 2, leaving 8 bits for the sample and 2 for coefficient overshoot.
    private const int PrecisionBits = 32 - 8 - 2;
    private const double BicubicSupport = 2.0;
    private const double BicubicA = -0.5;

    /// <summary>Returns <paramref name="source"/> resized to <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static RgbImage Resize(RgbImage source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (width <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), width, "The target width must be positive.");
        if (height <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), height, "The target height must be positive.");

        bool needHorizontal = width != source.Width;
        bool needVertical = height != source.Height;
        if (!needHorizontal && !needVertical)
            return new RgbImage(source.Width, source.Height, (byte[])source.Pixels.Clone());

        var horizontal = Coefficients.Compute(source.Width, width);
        var vertical = Coefficients.Compute(source.Height, height);

        RgbImage current = source;
        if (needHorizontal)
        {
            // Only the source rows the vertical pass reads are resampled horizontally, as Pillow does.
            int firstRow = vertical.Bounds[0];
            int lastRow = vertical.Bounds[(height - 1) * 2] + vertical.Bounds[(height - 1) * 2 + 1];
            if (!needVertical)
            {
                firstRow = 0;
                lastRow = source.Height;
            }
            else
            {
                for (int i = 0; i < height; i++)
                    vertical.Bounds[i * 2] -= firstRow;
            }

            current = ResampleHorizontal(source, width, firstRow, lastRow - firstRow, horizontal);
        }

        if (needVertical)
            current = ResampleVertical(current, height, vertical);
        return current;
    }

    private static RgbImage ResampleHorizontal(RgbImage input, int outWidth, int rowOffset, int rows, Coefficients c)
    {
        var output = new byte[(long)outWidth * rows * RgbImage.Channels];
        byte[] src = input.Pixels;
        int inStride = input.Width * RgbImage.Channels;
        Parallel.For(0, rows, y =>
        {
            long inRow = (long)(y + rowOffset) * inStride;
            long outRow = (long)y * outWidth * RgbImage.Channels;
            for (int x = 0; x < outWidth; x++)
            {
                int min = c.Bounds[x * 2], count = c.Bounds[x * 2 + 1];
                int k = x * c.KernelSize;
                int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
                long p = inRow + (long)min * RgbImage.Channels;
                for (int i = 0; i < count; i++, p += RgbImage.Channels)
                {
                    int w = c.Weights[k + i];
                    s0 += src[p] * w;
                    s1 += src[p + 1] * w;
                    s2 += src[p + 2] * w;
                }

                long o = outRow + x * RgbImage.Channels;
                output[o] = Clip8(s0);
                output[o + 1] = Clip8(s1);
                output[o + 2] = Clip8(s2);
            }
        });
        return new RgbImage(outWidth, rows, output);
    }

    private static RgbImage ResampleVertical(RgbImage input, int outHeight, Coefficients c)
    {
        int stride = input.Width * RgbImage.Channels;
        var output = new byte[(long)stride * outHeight];
        byte[] src = input.Pixels;
        Parallel.For(0, outHeight, y =>
        {
            int min = c.Bounds[y * 2], count = c.Bounds[y * 2 + 1];
            int k = y * c.KernelSize;
            long outRow = (long)y * stride;
            for (int x = 0; x < stride; x++)
            {
                int s = 1 << (PrecisionBits - 1);
                long p = (long)min * stride + x;
                for (int i = 0; i < count; i++, p += stride)
                    s += src[p] * c.Weights[k + i];
                output[outRow + x] = Clip8(s);
            }
        });
        return new RgbImage(input.Width, outHeight, output);
    }

    private static byte Clip8(int value)
    {
        if (value >= 1 << PrecisionBits << 8)
            return 255;
        if (value <= 0)
            return 0;
        return (byte)(value >> PrecisionBits);
    }

    // Pillow's bicubic_filter, with the same operation order so the doubles match bit for bit.
    private static double Bicubic(double x)
    {
        if (x < 0.0)
            x = -x;
        if (x < 1.0)
            return ((BicubicA + 2.0) * x - (BicubicA + 3.0)) * x * x + 1;
        if (x < 2.0)
            return (((x - 5) * x + 8) * x - 4) * BicubicA;
        return 0.0;
    }

    /// <summary>Per output index: first input index and tap count (Bounds), and fixed-point weights.</summary>
    private sealed class Coefficients
    {
        public required int KernelSize { get; init; }
        public required int[] Bounds { get; init; }
        public required int[] Weights { get; init; }

        // Pillow's precompute_coeffs for the box [0, inSize) followed by normalize_coeffs_8bpc.
        public static Coefficients Compute(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = scale < 1.0 ? 1.0 : scale;
            double support = BicubicSupport * filterScale;
            int kernelSize = (int)Math.Ceiling(support) * 2 + 1;

            var bounds = new int[outSize * 2];
            var weights = new int[outSize * kernelSize];
            var k = new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = (int)(center - support + 0.5);
                if (xmin < 0)
                    xmin = 0;
                int xmax = (int)(center + support + 0.5);
                if (xmax > inSize)
                    xmax = inSize;
                xmax -= xmin;

                double ww = 0.0;
                for (int x = 0; x < xmax; x++)
                {
                    double w = Bicubic((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }

                for (int x = 0; x < xmax; x++)
                {
                    double normalised = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * kernelSize + x] = normalised < 0
                        ? (int)(-0.5 + normalised * (1 << PrecisionBits))
                        : (int)(0.5 + normalised * (1 << PrecisionBits));
                }

                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }

            return new Coefficients { KernelSize = kernelSize, Bounds = bounds, Weights = weights };
        }
    }
}
