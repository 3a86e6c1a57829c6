using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Imaging;

namespace PaliCuda.Tests.Imaging;

/// <summary>Checks per-channel means of the demo checkpoint's pixel values (64x64) against expected.json.</summary>
public class DemoPixelMeanTests
{
    // expected.json rounds the means to 6 decimals (error <= 5e-7); our values are bit-identical floats summed in
    // double, HF summed in float32 over 4096 values (relative error ~1e-7): 1e-6 covers both.
    private const double MeanTolerance = 1e-6;

    public static IEnumerable<TestCaseData> Samples()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("expected.json")));
        foreach (var s in doc.RootElement.GetProperty("samples").EnumerateArray())
        {
            var first = s.GetProperty("cases")[0];
            double[] means = first.GetProperty("pixel_values_channel_mean").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            int size = first.GetProperty("pixel_values_shape")[2].GetInt32();
            string image = s.GetProperty("image").GetString()!;
            yield return new TestCaseData(image, size, means).SetName($"DemoMeans_{Path.GetFileNameWithoutExtension(image)}");
        }
    }

    [TestCaseSource(nameof(Samples))]
    public void ChannelMeansMatchExpected(string image, int size, double[] expectedMeans)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("preprocessor_config.json")));
        Assert.That(config.RootElement.GetProperty("size").GetProperty("height").GetInt32(), Is.EqualTo(size));
        var values = new SiglipImageProcessor(size).Preprocess(TestPaths.DemoModel(image.Split('/')));
        int plane = size * size;
        for (int c = 0; c < 3; c++)
        {
            double mean = 0;
            for (int i = 0; i < plane; i++)
                mean += values.Data[c * plane + i];
            mean /= plane;
            Assert.That(mean, Is.EqualTo(expectedMeans[c]).Within(MeanTolerance), $"channel {c}");
        }
    }
}
