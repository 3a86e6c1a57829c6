namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// Brings a subsampled component to full resolution as libjpeg-turbo does with do_fancy_upsampling (its default):
/// a triangle filter, each output sample 3/4 of the nearer input sample and 1/4 of the further one, with libjpeg's
/// alternating rounding biases so that errors do not accumulate in one direction. Neighbours beyond the edge are the
/// edge sample itself (libjpeg's special first/last columns, and its replicated context rows above the first and
/// below the last row). Horizontal doubling of a component at most 2 samples wide is plain replication, as libjpeg
/// only selects the fancy filter for wider ones.
/// </summary>
internal static class JpegUpsampler
{
    /// <summary>Returns the component at <paramref name="width"/> × <paramref name="height"/>, upsampled by 1 or 2 in each direction.</summary>
    public static byte[] Upsample(JpegPlane plane, int horizontal, int vertical, int width, int height)
    {
        var output = new byte[width * height];
        switch (horizontal, vertical)
        {
            case (1, 1):
                for (int y = 0; y < height; y++)
                    Array.Copy(plane.Samples, y * plane.Stride, output, y * width, width);
                break;
            case (2, 1) when plane.Width > 2:
                H2V1(plane, output, width, height);
                break;
            case (2, 2) when plane.Width > 2:
                H2V2(plane, output, width, height);
                break;
            case (1, 2):
                H1V2(plane, output, width, height);
                break;
            case (2, 1) or (2, 2):
                Replicate(plane, output, width, height, horizontal, vertical);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(horizontal), $"{horizontal}x{vertical} upsampling is not supported");
        }

        return output;
    }

    private static int Clamp(int i, int count) => i < 0 ? 0 : i >= count ? count - 1 : i;

    /// <summary>Horizontal triangle: out[2i] = (3·in[i] + in[i−1] + 1) >> 2, out[2i+1] = (3·in[i] + in[i+1] + 2) >> 2.</summary>
    internal static void H2V1(JpegPlane plane, byte[] output, int width, int height)
    {
        for (int y = 0; y < height; y++)
        {
            int row = y * plane.Stride;
            for (int x = 0; x < width; x++)
            {
                int i = x >> 1;
                int near = plane.Samples[row + i] * 3;
                output[y * width + x] = (x & 1) == 0
                    ? (byte)((near + plane.Samples[row + Clamp(i - 1, plane.Width)] + 1) >> 2)
                    : (byte)((near + plane.Samples[row + Clamp(i + 1, plane.Width)] + 2) >> 2);
            }
        }
    }

    /// <summary>
    /// Vertical triangle into column sums (3·nearer row + further row), then horizontal triangle on the sums:
    /// out[2i] = (3·s[i] + s[i−1] + 8) >> 4, out[2i+1] = (3·s[i] + s[i+1] + 7) >> 4.
    /// </summary>
    internal static void H2V2(JpegPlane plane, byte[] output, int width, int height)
    {
        var sums = new int[plane.Width];
        for (int y = 0; y < height; y++)
        {
            int r = y >> 1;
            int further = (y & 1) == 0 ? Clamp(r - 1, plane.Height) : Clamp(r + 1, plane.Height);
            for (int i = 0; i < plane.Width; i++)
                sums[i] = plane[i, r] * 3 + plane[i, further];
            for (int x = 0; x < width; x++)
            {
                int i = x >> 1;
                output[y * width + x] = (x & 1) == 0
                    ? (byte)((sums[i] * 3 + sums[Clamp(i - 1, plane.Width)] + 8) >> 4)
                    : (byte)((sums[i] * 3 + sums[Clamp(i + 1, plane.Width)] + 7) >> 4);
            }
        }
    }

    /// <summary>Vertical triangle alone: the upper output row (3·in[r] + in[r−1] + 1) >> 2, the lower (3·in[r] + in[r+1] + 2) >> 2.</summary>
    internal static void H1V2(JpegPlane plane, byte[] output, int width, int height)
    {
        for (int y = 0; y < height; y++)
        {
            int r = y >> 1;
            bool upper = (y & 1) == 0;
            int further = upper ? Clamp(r - 1, plane.Height) : Clamp(r + 1, plane.Height);
            int bias = upper ? 1 : 2;
            for (int x = 0; x < width; x++)
                output[y * width + x] = (byte)((plane[x, r] * 3 + plane[x, further] + bias) >> 2);
        }
    }

    /// <summary>Box upsampling (each input sample repeated), libjpeg's choice for components at most 2 samples wide.</summary>
    internal static void Replicate(JpegPlane plane, byte[] output, int width, int height, int horizontal, int vertical)
    {
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                output[y * width + x] = plane[x / horizontal, y / vertical];
        }
    }
}
