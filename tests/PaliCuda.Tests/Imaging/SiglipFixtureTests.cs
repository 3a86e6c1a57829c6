using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Imaging;

namespace PaliCuda.Tests.Imaging;

/// <summary>Compares the preprocessing with the pixel values HF's SiglipImageProcessor produced for the fixture images.</summary>
public class SiglipFixtureTests
{
    // The resampler reproduces Pillow's integer arithmetic and the baseline JPEG decoder libjpeg-turbo's, so every
    // fixture (PNG and JPEG) must match exactly.
    private const int ExactU8Tolerance = 0;

    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("image-preprocess", "reference.json"))).RootElement);

    private static readonly Lazy<FixtureSafetensors> Tensors = new(() =>
        new FixtureSafetensors(TestPaths.Fixture("image-preprocess", "pixel_values.safetensors")));

    private static int Size => Reference.Value.GetProperty("processor_settings").GetProperty("size").GetProperty("height").GetInt32();

    public static IEnumerable<TestCaseData> FixtureImages() =>
        Reference.Value.GetProperty("images").EnumerateArray()
            .Select(i => i.GetProperty("file").GetString()!)
            .Select(f => new TestCaseData(f).SetName($"Fixture_{f.Replace('.', '_')}"));

    private static string Stem(string file) => Path.GetFileNameWithoutExtension(file);

    /// <summary>Max |difference| and count of differing values between our resized bytes and the reference [1,3,S,S] bytes.</summary>
    private static (int MaxError, int Differing) CompareWithReference(RgbImage resized, byte[] referenceChw)
    {
        int plane = resized.Width * resized.Height, max = 0, differing = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < plane; i++)
            {
                int d = Math.Abs(resized.Pixels[i * 3 + c] - referenceChw[c * plane + i]);
                max = Math.Max(max, d);
                if (d != 0)
                    differing++;
            }
        }

        return (max, differing);
    }

    [TestCaseSource(nameof(FixtureImages))]
    public void ResizedBytesMatchReference(string file)
    {
        var processor = new SiglipImageProcessor(Size);
        var image = RgbImageLoader.Load(TestPaths.Fixture("image-preprocess", file));
        var resized = processor.Resize(image);
        byte[] reference = Tensors.Value.U8($"{Stem(file)}.pixel_values_u8");
        Assert.That(Tensors.Value.Shape($"{Stem(file)}.pixel_values_u8"), Is.EqualTo(new[] { 1, 3, Size, Size }));
        var (maxError, differing) = CompareWithReference(resized, reference);
        TestContext.Out.WriteLine($"{file}: max |error| {maxError} u8, {differing} differing values");
        Assert.That(maxError, Is.LessThanOrEqualTo(ExactU8Tolerance), $"{differing} differing values");
    }

    [TestCaseSource(nameof(FixtureImages))]
    public void PixelValuesAreTheReferenceFloatsBitForBit(string file)
    {
        var processor = new SiglipImageProcessor(Size);
        var values = processor.Preprocess(TestPaths.Fixture("image-preprocess", file));
        byte[] reference = Tensors.Value.U8($"{Stem(file)}.pixel_values_u8");
        Assert.That(values.Size, Is.EqualTo(Size));
        Assert.That(values.Data, Has.Length.EqualTo(reference.Length));
        int mismatches = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(values.Data[i]) != BitConverter.SingleToInt32Bits(SiglipImageProcessor.ToPixelValue(reference[i])))
                mismatches++;
        }

        Assert.That(mismatches, Is.Zero);
        double mean = values.Data.Average(v => (double)v);
        var stats = Reference.Value.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("file").GetString() == file).GetProperty("pixel_values_stats");
        // The reference mean is float32 numpy's over 150528 values; ours is exact in double: they agree to ~1e-6.
        Assert.That(mean, Is.EqualTo(stats.GetProperty("mean").GetDouble()).Within(1e-5));
    }

    [Test]
    public void ByteToFloatMatchesTheProcessorOutputRows()
    {
        // rows0to15 holds the processor's float32 output itself: check the u8 -> float formula bit for bit.
        const string stem = "rgb_97x61";
        float[] floats = Tensors.Value.F32($"{stem}.pixel_values_rows0to15");
        byte[] bytes = Tensors.Value.U8($"{stem}.pixel_values_u8");
        int[] shape = Tensors.Value.Shape($"{stem}.pixel_values_rows0to15");
        int rows = shape[2], width = shape[3];
        int checkedValues = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < rows; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    float expected = floats[(c * rows + y) * width + x];
                    float actual = SiglipImageProcessor.ToPixelValue(bytes[(c * Size + y) * Size + x]);
                    Assert.That(BitConverter.SingleToInt32Bits(actual), Is.EqualTo(BitConverter.SingleToInt32Bits(expected)), $"c{c} y{y} x{x}");
                    checkedValues++;
                }
            }
        }

        Assert.That(checkedValues, Is.EqualTo(3 * rows * width));
    }

    [Test]
    public void JpegResizeOfReferenceDecodeIsExact()
    {
        const string stem = "jpeg_50x70";
        int[] shape = Tensors.Value.Shape($"{stem}.decoded_rgb_u8");
        var decoded = new RgbImage(shape[1], shape[0], Tensors.Value.U8($"{stem}.decoded_rgb_u8"));
        var resized = new SiglipImageProcessor(Size).Resize(decoded);
        var (maxError, differing) = CompareWithReference(resized, Tensors.Value.U8($"{stem}.pixel_values_u8"));
        TestContext.Out.WriteLine($"{stem} (Pillow's decode fed to our resize): max |error| {maxError} u8, {differing} differing values");
        Assert.That(maxError, Is.LessThanOrEqualTo(ExactU8Tolerance), $"{differing} differing values");
    }

    [Test]
    public void JpegDecodeEqualsPillowsExactly()
    {
        const string stem = "jpeg_50x70";
        var ours = RgbImageLoader.Load(TestPaths.Fixture("image-preprocess", "jpeg_50x70.jpg"));
        byte[] pillow = Tensors.Value.U8($"{stem}.decoded_rgb_u8");
        int[] shape = Tensors.Value.Shape($"{stem}.decoded_rgb_u8");
        Assert.That((ours.Height, ours.Width), Is.EqualTo((shape[0], shape[1])));
        int differing = 0, max = 0;
        for (int i = 0; i < pillow.Length; i++)
        {
            int d = Math.Abs(ours.Pixels[i] - pillow[i]);
            max = Math.Max(max, d);
            if (d != 0)
                differing++;
        }

        TestContext.Out.WriteLine($"{stem} decode (ours vs Pillow/libjpeg-turbo): max |error| {max} u8, {differing} of {pillow.Length} values differ");
        Assert.That(max, Is.LessThanOrEqualTo(ExactU8Tolerance), $"{differing} differing values");
    }
}
