using NUnit.Framework;
using PaliCuda.Imaging;

namespace PaliCuda.Tests.Imaging;

public class ResamplerTests
{
    private static RgbImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(i * 7);
        return new RgbImage(width, height, pixels);
    }

    [Test]
    public void SameSizeIsACopy()
    {
        var image = Gradient(5, 4);
        var resized = PilBicubicResampler.Resize(image, 5, 4);
        Assert.That(resized.Pixels, Is.EqualTo(image.Pixels));
        Assert.That(resized.Pixels, Is.Not.SameAs(image.Pixels));
    }

    [TestCase(1, 1)]
    [TestCase(1, 300)]
    [TestCase(300, 1)]
    [TestCase(7, 3)]
    public void ExtremeShapesResizeWithoutError(int width, int height)
    {
        var resized = new SiglipImageProcessor(16).Preprocess(Gradient(width, height));
        Assert.That(resized.Data, Has.Length.EqualTo(3 * 16 * 16));
        Assert.That(resized.Data, Has.All.InRange(-1f, 1f));
    }

    [Test]
    public void OnlyOneAxisChangingResamplesOnlyThatAxis()
    {
        // Pillow skips a pass whose size is unchanged; with a vertical-only resize every column must stay
        // independent, so a column of a single colour stays that colour.
        var pixels = new byte[4 * 9 * 3];
        for (int y = 0; y < 9; y++)
        {
            for (int x = 0; x < 4; x++)
                pixels[(y * 4 + x) * 3] = (byte)(x * 60);
        }

        var resized = PilBicubicResampler.Resize(new RgbImage(4, 9, pixels), 4, 20);
        for (int y = 0; y < 20; y++)
        {
            for (int x = 0; x < 4; x++)
                Assert.That(resized.Pixels[(y * 4 + x) * 3], Is.EqualTo(x * 60), $"x{x} y{y}");
        }
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PilBicubicResampler.Resize(Gradient(2, 2), 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilBicubicResampler.Resize(Gradient(2, 2), 4, -1));
        Assert.Throws<ArgumentException>(() => _ = new RgbImage(2, 2, new byte[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SiglipImageProcessor(0));
        Assert.Throws<ArgumentException>(() => new SiglipImageProcessor(8).ToPixelValues(Gradient(8, 7)));
        Assert.Throws<ArgumentException>(() => _ = new PixelValues(new float[10], 2));
    }
}
