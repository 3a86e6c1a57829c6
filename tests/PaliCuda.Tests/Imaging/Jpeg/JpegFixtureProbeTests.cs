using NUnit.Framework;
using PaliCuda.Imaging;
using PaliCuda.Imaging.Jpeg;

namespace PaliCuda.Tests.Imaging.Jpeg;

public class JpegFixtureProbeTests
{
    [Test]
    public void Probe()
    {
        var t = new FixtureSafetensors(TestPaths.Fixture("image-preprocess", "pixel_values.safetensors"));
        byte[] pillow = t.U8("jpeg_50x70.decoded_rgb_u8");
        var ours = JpegDecoder.Decode(File.ReadAllBytes(TestPaths.Fixture("image-preprocess", "jpeg_50x70.jpg")), ImageLimits.Default, out var why)!;
        int max = 0, diff = 0, first = -1;
        for (int i = 0; i < pillow.Length; i++) { int d = Math.Abs(pillow[i] - ours.Pixels[i]); if (d > 0) { diff++; if (first < 0) first = i; } max = Math.Max(max, d); }
        TestContext.Out.WriteLine($"{why} max {max} diff {diff} first {first} (px {first / 3 % 50},{first / 150} c{first % 3})");
        Assert.That(diff, Is.Zero);
    }
}
