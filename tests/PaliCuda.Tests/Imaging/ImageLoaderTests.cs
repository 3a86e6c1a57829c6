using NUnit.Framework;
using PaliCuda.Imaging;
using PaliCuda.Tests.Hostile;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace PaliCuda.Tests.Imaging;

/// <summary>Untrusted-input handling, pixel-format conversion and EXIF orientation of <see cref="RgbImageLoader"/>.</summary>
public class ImageLoaderTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"palicuda-images-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static InvalidImageException Rejects(string path, ImageLoadOptions? options = null)
    {
        var e = Assert.Throws<InvalidImageException>(() => RgbImageLoader.Load(path, options))!;
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.SourceName, Is.EqualTo(path));
        return e;
    }

    [Test]
    public void EmptyFileIsRejected() =>
        Assert.That(Rejects(Write("empty.png", [])).Problem, Does.Contain("empty"));

    [Test]
    public void TextNamedPngIsRejected() =>
        Assert.That(Rejects(Write("notes.png", "this is plain text, not a picture\n"u8.ToArray())).Problem, Does.Contain("not an image"));

    [Test]
    public void MissingFileIsRejected() =>
        Assert.That(Rejects(Path.Combine(_dir, "missing.png")).Problem, Does.Contain("does not exist"));

    [TestCase(0.5)]
    [TestCase(0.9)]
    [TestCase(0.1)]
    public void TruncatedPngIsRejected(double keptFraction)
    {
        byte[] full = File.ReadAllBytes(TestPaths.Fixture("image-preprocess", "rgb_97x61.png"));
        string path = Write("truncated.png", full[..(int)(full.Length * keptFraction)]);
        Rejects(path);
    }

    [Test]
    public void CorruptedPngDataIsRejected()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Fixture("image-preprocess", "rgb_97x61.png"));
        // Overwrite the middle of the compressed pixel data (after the 33-byte signature + IHDR).
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++)
            bytes[i] ^= 0x5A;
        Rejects(Write("corrupt.png", bytes));
    }

    [Test]
    public void HugePngHeaderIsRejectedBeforeDecoding()
    {
        string path = Write("huge.png", HostilePng.HeaderOnly(100_000, 100_000));
        var e = Rejects(path);
        Assert.That(e.Problem, Does.Contain("100000"));
    }

    [Test]
    public void LimitsAreConfigurable()
    {
        string path = TestPaths.Fixture("image-preprocess", "rgb_97x61.png");
        Assert.Multiple(() =>
        {
            Assert.That(Rejects(path, new ImageLoadOptions { Limits = new ImageLimits { MaxWidth = 96 } }).Problem, Does.Contain("width 97"));
            Assert.That(Rejects(path, new ImageLoadOptions { Limits = new ImageLimits { MaxHeight = 60 } }).Problem, Does.Contain("height 61"));
            Assert.That(Rejects(path, new ImageLoadOptions { Limits = new ImageLimits { MaxPixels = 97 * 61 - 1 } }).Problem, Does.Contain("5917"));
            Assert.That(Rejects(path, new ImageLoadOptions { Limits = new ImageLimits { MaxFileBytes = 100 } }).Problem, Does.Contain("bytes"));
        });
        var exact = new ImageLoadOptions { Limits = new ImageLimits { MaxWidth = 97, MaxHeight = 61, MaxPixels = 97 * 61 } };
        Assert.That(RgbImageLoader.Load(path, exact).Width, Is.EqualTo(97));
    }

    [Test]
    public void DecodeNamesTheBufferSource()
    {
        var e = Assert.Throws<InvalidImageException>(() => RgbImageLoader.Decode([1, 2, 3], "upload #7"));
        Assert.That(e!.Message, Does.Contain("upload #7"));
    }

    [Test]
    public void PalettePngGivesItsColours()
    {
        var original = Pattern(23, 17, levels: 4);
        using var image = Image.LoadPixelData<Rgb24>(original, 23, 17);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit8 });
        var loaded = RgbImageLoader.Decode(stream.ToArray(), "palette.png");
        Assert.That(loaded.Pixels, Is.EqualTo(original));
    }

    [Test]
    public void SixteenBitPngIsReducedToEightBits()
    {
        byte[] original = Pattern(9, 11, levels: 256);
        var wide = new Rgb48[9 * 11];
        for (int i = 0; i < wide.Length; i++)
            wide[i] = new Rgb48((ushort)(original[i * 3] * 257), (ushort)(original[i * 3 + 1] * 257), (ushort)(original[i * 3 + 2] * 257));
        using var image = Image.LoadPixelData<Rgb48>(wide, 9, 11);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 });
        // v * 257 is exactly representable both ways: any 16 -> 8 bit rule (rounding or high byte) gives v back.
        Assert.That(RgbImageLoader.Decode(stream.ToArray(), "deep.png").Pixels, Is.EqualTo(original));
    }

    [Test]
    public void ExifOrientationIsIgnoredByDefaultAndAppliedOnRequest()
    {
        byte[] original = Pattern(6, 4, levels: 256);
        using var image = Image.LoadPixelData<Rgb24>(original, 6, 4);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // "rotate 90° clockwise to display"
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        byte[] png = stream.ToArray();

        var asStored = RgbImageLoader.Decode(png, "rotated.png");
        var oriented = RgbImageLoader.Decode(png, "rotated.png", new ImageLoadOptions { ApplyExifOrientation = true });
        Assert.Multiple(() =>
        {
            Assert.That((asStored.Width, asStored.Height), Is.EqualTo((6, 4)));
            Assert.That(asStored.Pixels, Is.EqualTo(original));
            Assert.That((oriented.Width, oriented.Height), Is.EqualTo((4, 6)));
            // Rotating clockwise puts the stored bottom-left pixel (x 0, y 3) at the displayed top-left.
            Assert.That(oriented.Pixels[..3], Is.EqualTo(original[(3 * 6 * 3)..(3 * 6 * 3 + 3)]));
        });
    }

    [Test]
    public void ProcessorRejectsCorruptFileWithTypedException()
    {
        string path = Write("text.jpg", "GIF89a but not really"u8.ToArray());
        Assert.Throws<InvalidImageException>(() => new SiglipImageProcessor(224).Preprocess(path));
    }

    private static byte[] Pattern(int width, int height, int levels)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)((i * 37 % levels) * (255 / Math.Max(1, levels - 1)));
        return pixels;
    }
}
