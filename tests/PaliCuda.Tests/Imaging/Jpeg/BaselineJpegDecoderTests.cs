using NUnit.Framework;
using PaliCuda.Imaging;
using PaliCuda.Imaging.Jpeg;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using Component = PaliCuda.Tests.Imaging.Jpeg.TestJpegWriter.Component;

namespace PaliCuda.Tests.Imaging.Jpeg;

/// <summary>
/// <see cref="BaselineJpegDecoder"/> on JPEGs written at test time. Only the image-preprocess fixture is a Pillow
/// reference (see SiglipFixtureTests); here the decoder is checked against ImageSharp's independent decoder, against
/// the encoded pixels, and against itself where two encodings of the same coefficients must decode identically.
/// </summary>
public class BaselineJpegDecoderTests
{
    /// <summary>
    /// On smooth images ImageSharp (float IDCT, its own upsampling and colour rounding) and libjpeg's integer pipeline
    /// differ by rounding, a level or two per stage; its chroma upsampling differs by up to a quarter of the
    /// neighbouring chroma step (≤ 8 levels on these gradients) times the colour factors (≤ 1.8).
    /// </summary>
    private const int MaxDifferenceFromImageSharp = 16;

    /// <summary>
    /// Subsampled chroma gives ImageSharp and libjpeg a level or two of difference at most pixels (measured up to 2.1
    /// here, 2.7 on the Pillow fixture); a systematic error such as a swapped channel costs tens of levels.
    /// </summary>
    private const double MeanDifferenceFromImageSharp = 3.0;

    /// <summary>Quantiser 1 and an exact forward DCT: only the rounding of the coefficients (±0.5 each) and islow's ±1 remain.</summary>
    private const int LosslessRoundTripTolerance = 2;

    private static byte[] SmoothRgb(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3;
                pixels[i] = (byte)(40 + 160 * x / Math.Max(1, width - 1));
                pixels[i + 1] = (byte)(200 - 150 * y / Math.Max(1, height - 1));
                pixels[i + 2] = (byte)(128 + 60 * Math.Sin((x + y) / 9.0));
            }
        }

        return pixels;
    }

    private static byte[] EncodeWithImageSharp(byte[] rgb, int width, int height, JpegColorType colorType)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, new JpegEncoder { Quality = 90, ColorType = colorType });
        return stream.ToArray();
    }

    private static byte[] DecodeWithImageSharp(byte[] jpeg)
    {
        using var image = Image.Load<Rgb24>(jpeg);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return pixels;
    }

    private static RgbImage Decode(byte[] jpeg) =>
        BaselineJpegDecoder.Decode(jpeg, ImageLimits.Default, out string? unsupported) ?? throw new AssertionException($"unsupported: {unsupported}");

    private static (int Max, double Mean) Compare(byte[] a, byte[] b)
    {
        Assert.That(a, Has.Length.EqualTo(b.Length));
        int max = 0;
        long sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = Math.Abs(a[i] - b[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        return (max, (double)sum / a.Length);
    }

    private static void AssertCloseToImageSharp(byte[] jpeg, int width, int height, string what)
    {
        var ours = Decode(jpeg);
        Assert.That((ours.Width, ours.Height), Is.EqualTo((width, height)));
        var (max, mean) = Compare(ours.Pixels, DecodeWithImageSharp(jpeg));
        TestContext.Out.WriteLine($"{what}: max |ours - ImageSharp| {max}, mean {mean:F3}");
        Assert.That(max, Is.LessThanOrEqualTo(MaxDifferenceFromImageSharp), what);
        Assert.That(mean, Is.LessThanOrEqualTo(MeanDifferenceFromImageSharp), what);
    }

    [TestCase(JpegColorType.YCbCrRatio444, 50, 33)]
    [TestCase(JpegColorType.YCbCrRatio420, 50, 33)]
    [TestCase(JpegColorType.YCbCrRatio420, 64, 64)]
    [TestCase(JpegColorType.YCbCrRatio420, 1, 1)]
    [TestCase(JpegColorType.YCbCrRatio420, 3, 17)]
    [TestCase(JpegColorType.YCbCrRatio422, 37, 21)]
    [TestCase(JpegColorType.Luminance, 29, 13)]
    [TestCase(JpegColorType.Rgb, 23, 31)]
    public void ImageSharpEncodedJpegsDecodeCloseToImageSharp(JpegColorType colorType, int width, int height) =>
        AssertCloseToImageSharp(EncodeWithImageSharp(SmoothRgb(width, height), width, height, colorType), width, height, $"{colorType} {width}x{height}");

    [Test]
    public void GreyJpegDecodesToEqualChannels()
    {
        var ours = Decode(EncodeWithImageSharp(SmoothRgb(29, 13), 29, 13, JpegColorType.Luminance));
        for (int i = 0; i < ours.Pixels.Length; i += 3)
            Assert.That((ours.Pixels[i + 1], ours.Pixels[i + 2]), Is.EqualTo((ours.Pixels[i], ours.Pixels[i])), $"pixel {i / 3}");
    }

    [Test]
    public void UnsupportedSamplingIsLeftToImageSharp()
    {
        var ycc = Ycc420(40, 24);
        byte[] jpeg = new TestJpegWriter().Write(40, 24, ycc[0] with { Horizontal = 4, Vertical = 1 }, ycc[1], ycc[2]);
        Assert.That(BaselineJpegDecoder.Decode(jpeg, ImageLimits.Default, out string? unsupported), Is.Null);
        Assert.That(unsupported, Does.Contain("sampling"));
        // The loader falls back to ImageSharp for it.
        Assert.That(RgbImageLoader.Decode(jpeg, "411.jpg").Pixels, Is.EqualTo(DecodeWithImageSharp(jpeg)));
    }

    [Test]
    public void ProgressiveFramesAreLeftToImageSharp()
    {
        byte[] jpeg = new TestJpegWriter().Write(37, 29, Ycc420(37, 29));
        int sof = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        jpeg[sof + 1] = 0xC2;
        Assert.That(BaselineJpegDecoder.Decode(jpeg, ImageLimits.Default, out string? unsupported), Is.Null);
        Assert.That(unsupported, Does.Contain("progressive"));
    }

    [Test]
    public void LoaderUsesTheBaselineDecoderForBaselineJpegs()
    {
        byte[] jpeg = EncodeWithImageSharp(SmoothRgb(50, 33), 50, 33, JpegColorType.YCbCrRatio420);
        var loaded = RgbImageLoader.Decode(jpeg, "smooth.jpg");
        Assert.That(loaded.Pixels, Is.EqualTo(Decode(jpeg).Pixels));
        Assert.That(loaded.Pixels, Is.Not.EqualTo(DecodeWithImageSharp(jpeg)), "ImageSharp's 4:2:0 decode differs from libjpeg's");
    }

    [Test]
    public void ExifOrientationIsAppliedToBaselineDecodesOnRequest()
    {
        const int width = 24, height = 10;
        using var image = Image.LoadPixelData<Rgb24>(SmoothRgb(width, height), width, height);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // "rotate 90° clockwise to display"
        using var stream = new MemoryStream();
        image.Save(stream, new JpegEncoder { Quality = 90, ColorType = JpegColorType.YCbCrRatio420 });
        byte[] jpeg = stream.ToArray();

        var stored = Decode(jpeg);
        Assert.That(RgbImageLoader.Decode(jpeg, "rotated.jpg").Pixels, Is.EqualTo(stored.Pixels));
        var oriented = RgbImageLoader.Decode(jpeg, "rotated.jpg", new ImageLoadOptions { ApplyExifOrientation = true });
        Assert.That((oriented.Width, oriented.Height), Is.EqualTo((height, width)));
        // Rotating clockwise: displayed (x, y) is stored (y, height − 1 − x).
        for (int y = 0; y < width; y++)
        {
            for (int x = 0; x < height; x++)
            {
                int o = (y * height + x) * 3, s = ((height - 1 - x) * width + y) * 3;
                Assert.That(oriented.Pixels[o..(o + 3)], Is.EqualTo(stored.Pixels[s..(s + 3)]), $"({x},{y})");
            }
        }
    }

    private static Component[] Ycc420(int width, int height)
    {
        byte[] rgb = SmoothRgb(width, height);
        var y = new byte[width * height];
        for (int i = 0; i < y.Length; i++)
            y[i] = (byte)((rgb[i * 3] * 77 + rgb[i * 3 + 1] * 150 + rgb[i * 3 + 2] * 29) >> 8);
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        byte[] cb = new byte[cw * ch], cr = new byte[cw * ch];
        for (int j = 0; j < ch; j++)
        {
            for (int i = 0; i < cw; i++)
            {
                // Smooth chroma ramps: ImageSharp's different upsampling then stays within the bound.
                cb[j * cw + i] = (byte)(100 + 40 * i / cw + 20 * j / ch);
                cr[j * cw + i] = (byte)(150 - 30 * i / cw - 30 * j / ch);
            }
        }

        return [new Component(1, 2, 2, y, width, height), new Component(2, 1, 1, cb, cw, ch), new Component(3, 1, 1, cr, cw, ch)];
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    public void RestartIntervalsDecodeAsTheSameCoefficientsWithout(int interval)
    {
        // 37x29 at 4:2:0 is 3x2 MCUs; interval 1 puts a marker between every MCU, and RST numbers wrap past 7 only in
        // a bigger image, so a second, larger case covers the wrap.
        foreach (var (w, h) in new[] { (37, 29), (150, 40) })
        {
            var components = Ycc420(w, h);
            byte[] plain = new TestJpegWriter().Write(w, h, components);
            byte[] withRestarts = new TestJpegWriter { RestartInterval = interval }.Write(w, h, components);
            Assert.That(withRestarts, Has.Length.GreaterThan(plain.Length));
            Assert.That(Decode(withRestarts).Pixels, Is.EqualTo(Decode(plain).Pixels), $"{w}x{h}, interval {interval}");
            AssertCloseToImageSharp(withRestarts, w, h, $"restart interval {interval}, {w}x{h}");
        }
    }

    [Test]
    public void OneScanPerComponentDecodesAsOneInterleavedScan()
    {
        var components = Ycc420(37, 29);
        Assert.That(Decode(new TestJpegWriter { OneScanPerComponent = true }.Write(37, 29, components)).Pixels,
            Is.EqualTo(Decode(new TestJpegWriter().Write(37, 29, components)).Pixels));
    }

    [Test]
    public void GreyRoundTripIsNearlyLossless()
    {
        const int width = 19, height = 11;
        var grey = new byte[width * height];
        for (int i = 0; i < grey.Length; i++)
            grey[i] = (byte)(30 + i % width * 9 + i / width * 5);
        var ours = Decode(new TestJpegWriter { RestartInterval = 2 }.Write(width, height, new Component(1, 1, 1, grey, width, height)));
        for (int i = 0; i < grey.Length; i++)
            Assert.That(Math.Abs(ours.Pixels[i * 3] - grey[i]), Is.LessThanOrEqualTo(LosslessRoundTripTolerance), $"pixel {i}");
    }

    [Test]
    public void AdobeTransformZeroMeansRgb()
    {
        const int width = 9, height = 7;
        byte[] rgb = SmoothRgb(width, height);
        var planes = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, width * height).Select(i => rgb[i * 3 + c]).ToArray()).ToArray();
        var components = planes.Select((p, c) => new Component(c + 1, 1, 1, p, width, height)).ToArray();
        var ours = Decode(new TestJpegWriter { Jfif = false, AdobeTransform = 0 }.Write(width, height, components));
        for (int i = 0; i < rgb.Length; i++)
            Assert.That(Math.Abs(ours.Pixels[i] - rgb[i]), Is.LessThanOrEqualTo(LosslessRoundTripTolerance), $"value {i}");
        // The same file read as YCbCr (transform 1) gives other colours.
        var asYcc = Decode(new TestJpegWriter { Jfif = false, AdobeTransform = 1 }.Write(width, height, components));
        Assert.That(Compare(asYcc.Pixels, rgb).Mean, Is.GreaterThan(10));
    }

    [Test]
    public void VerticalOnlySubsamplingDecodesCloseToImageSharp()
    {
        const int width = 21, height = 26;
        var ycc = Ycc420(width, height);
        int ch = (height + 1) / 2;
        // Luma 1x2: chroma full width, half height.
        byte[] Half(byte seed) => Enumerable.Range(0, width * ch).Select(i => (byte)(seed + i % width * 3 + i / width * 2)).ToArray();
        var components = new[] { ycc[0] with { Horizontal = 1, Vertical = 2 }, new Component(2, 1, 1, Half(90), width, ch), new Component(3, 1, 1, Half(120), width, ch) };
        AssertCloseToImageSharp(new TestJpegWriter().Write(width, height, components), width, height, "1x2");
    }

    private static JpegDataException Refuses(byte[] jpeg) =>
        Assert.Throws<JpegDataException>(() => BaselineJpegDecoder.Decode(jpeg, ImageLimits.Default, out _))!;

    [Test]
    public void TruncatedScanIsRefused()
    {
        byte[] jpeg = new TestJpegWriter().Write(37, 29, Ycc420(37, 29));
        int sos = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xDA });
        int dataStart = sos + 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
        foreach (int keep in new[] { dataStart + 10, (dataStart + jpeg.Length) / 2, jpeg.Length - 8 })
        {
            // Cut off, and cut by an EOI where data should be (libjpeg would pad with zeros and warn; we refuse).
            Assert.That(Refuses(jpeg[..keep]).Message, Does.Contain("ends").Or.Contain("component"), $"cut at {keep}");
            Assert.That(Refuses([.. jpeg[..keep], 0xFF, 0xD9]).Message, Does.Contain("ends"), $"EOI at {keep}");
        }
    }

    [Test]
    public void McuOfMoreThanTenBlocksIsRefused()
    {
        // Three 2x2 components: 12 blocks per MCU, which libjpeg (and so Pillow) refuses.
        var ycc = Ycc420(16, 16);
        byte[] Full(byte level) => Enumerable.Repeat(level, 16 * 16).ToArray();
        byte[] jpeg = new TestJpegWriter().Write(16, 16, ycc[0], new Component(2, 2, 2, Full(100), 16, 16), new Component(3, 2, 2, Full(150), 16, 16));
        Assert.That(Refuses(jpeg).Message, Does.Contain("12 blocks"));
    }

    [Test]
    public void WrongRestartMarkerIsRefused()
    {
        byte[] jpeg = new TestJpegWriter { RestartInterval = 1 }.Write(37, 29, Ycc420(37, 29));
        int first = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xD0 });
        jpeg[first + 1] = 0xD3;
        Assert.That(Refuses(jpeg).Message, Does.Contain("RST0"));
    }

    [Test]
    public void CorruptJpegThroughTheLoaderNamesTheFile()
    {
        byte[] jpeg = new TestJpegWriter().Write(37, 29, Ycc420(37, 29));
        var e = Assert.Throws<InvalidImageException>(() => RgbImageLoader.Decode(jpeg[..(jpeg.Length * 2 / 3)], "cut.jpg"))!;
        Assert.That(e.SourceName, Is.EqualTo("cut.jpg"));
        Assert.That(e.Problem, Does.Contain("JPEG"));
    }

    [Test]
    public void LimitsAreCheckedBeforeThePlanesAreAllocated()
    {
        byte[] jpeg = new TestJpegWriter().Write(37, 29, Ycc420(37, 29));
        var e = Assert.Throws<JpegDataException>(() => BaselineJpegDecoder.Decode(jpeg, new ImageLimits { MaxWidth = 36 }, out _))!;
        Assert.That(e.Message, Does.Contain("width 37"));
    }
}
