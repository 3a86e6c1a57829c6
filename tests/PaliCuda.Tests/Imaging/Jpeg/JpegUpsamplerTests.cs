using NUnit.Framework;
using PaliCuda.Imaging.Jpeg;

namespace PaliCuda.Tests.Imaging.Jpeg;

/// <summary>libjpeg-turbo's fancy upsampling and YCbCr tables as reproduced by <see cref="JpegUpsampler"/> and <see cref="JpegColorConverter"/>.</summary>
public class JpegUpsamplerTests
{
    /// <summary>A plane of whole 8×8 blocks whose top-left width × height samples are <paramref name="rows"/>.</summary>
    private static JpegPlane Plane(params byte[][] rows)
    {
        int width = rows[0].Length, height = rows.Length, stride = (width + 7) / 8 * 8;
        var samples = new byte[stride * ((height + 7) / 8 * 8)];
        for (int y = 0; y < height; y++)
            rows[y].CopyTo(samples, y * stride);
        // Padding samples beyond the real ones must never be read: fill them with a value no result can come from.
        for (int y = 0; y < samples.Length / stride; y++)
        {
            for (int x = y < height ? width : 0; x < stride; x++)
                samples[y * stride + x] = 255;
        }

        return new JpegPlane(samples, stride, width, height);
    }

    [Test]
    public void H2V1EdgeColumnsRepeatTheEdgeSample()
    {
        // Interior: (3·near + far + 1) >> 2 left of a sample, (3·near + far + 2) >> 2 right of it; at the edges the far
        // sample is the edge one itself: (3·10 + 10 + 1) >> 2 = 10, (3·10 + 50 + 2) >> 2 = 20, (3·50 + 10 + 1) >> 2 = 40,
        // (3·50 + 90 + 2) >> 2 = 60, (3·90 + 50 + 1) >> 2 = 80, (3·90 + 90 + 2) >> 2 = 90.
        byte[] output = JpegUpsampler.Upsample(Plane([10, 50, 90]), 2, 1, 6, 1);
        Assert.That(output, Is.EqualTo(new byte[] { 10, 20, 40, 60, 80, 90 }));
    }

    [Test]
    public void H2V1OddOutputWidthDropsTheLastHalfSample()
    {
        byte[] output = JpegUpsampler.Upsample(Plane([10, 50, 90]), 2, 1, 5, 1);
        Assert.That(output, Is.EqualTo(new byte[] { 10, 20, 40, 60, 80 }));
    }

    [Test]
    public void H2V2EdgeRowsUseTheEdgeRowAsTheirContext()
    {
        // Column sums: row 0 above the image is row 0 itself (4·0 = 0); output row 1 is 3·0 + 160 = 160 → (4·160 + 7) >> 4
        // = 40; output row 2 is 3·160 + 0 = 480 → (4·480 + 8) >> 4 = 120; row 3 below the image repeats row 1: 640 → 160.
        byte[] output = JpegUpsampler.Upsample(Plane([0, 0, 0], [160, 160, 160]), 2, 2, 6, 4);
        byte[] expectedRows = [0, 40, 120, 160];
        for (int y = 0; y < 4; y++)
            Assert.That(output[(y * 6)..(y * 6 + 6)], Is.All.EqualTo(expectedRows[y]), $"row {y}");
    }

    [Test]
    public void H2V2BiasesAreEightThenSeven()
    {
        // A single row (its own context above and below): sums 4·in. Left of a sample (3·s + s_left + 8) >> 4,
        // right (3·s + s_right + 7) >> 4: [4, 0, 0] → sums [16, 0, 0] → 4, (48 + 0 + 7) >> 4 = 3, (0 + 16 + 8) >> 4 = 1, 0, 0, 0.
        byte[] output = JpegUpsampler.Upsample(Plane([4, 0, 0]), 2, 2, 6, 2);
        Assert.That(output[..6], Is.EqualTo(new byte[] { 4, 3, 1, 0, 0, 0 }));
        Assert.That(output[6..], Is.EqualTo(output[..6]));
    }

    [Test]
    public void NarrowComponentsAreReplicatedNotFiltered()
    {
        // libjpeg only selects the triangle filter for components wider than 2 samples.
        byte[] output = JpegUpsampler.Upsample(Plane([0, 100], [200, 40]), 2, 2, 4, 4);
        Assert.That(output, Is.EqualTo(new byte[] { 0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 40, 40, 200, 200, 40, 40 }));
    }

    [Test]
    public void H1V2BiasesAreOneAboveAndTwoBelow()
    {
        // Row 0 upper output: (3·10 + 10 + 1) >> 2 = 10; lower: (3·10 + 51 + 2) >> 2 = 20; row 1 upper: (3·51 + 10 + 1) >> 2
        // = 41; lower (bottom edge, its own context): (4·51 + 2) >> 2 = 51.
        byte[] output = JpegUpsampler.Upsample(Plane([10], [51]), 1, 2, 1, 4);
        Assert.That(output, Is.EqualTo(new byte[] { 10, 20, 41, 51 }));
    }

    [Test]
    public void ColorConversionIsWithinHalfALevelOfTheExactFormulaBeforeItsRounding()
    {
        // Each table entry rounds its product once (G: the sum of two products), so the result is the exact
        // JFIF formula rounded, give or take 1 where the exact value lies within 2^-16 of a half.
        const int tolerance = 1;
        var values = Enumerable.Range(0, 256).Where(v => v % 15 == 0 || v == 255).Select(v => (byte)v).ToArray();
        foreach (byte y in values)
        {
            foreach (byte cb in values)
            {
                foreach (byte cr in values)
                {
                    var rgb = new byte[3];
                    JpegColorConverter.YCbCrToRgb([y], [cb], [cr], rgb);
                    double r = y + 1.402 * (cr - 128), g = y - 0.34414 * (cb - 128) - 0.71414 * (cr - 128), b = y + 1.772 * (cb - 128);
                    int[] exact = [.. new[] { r, g, b }.Select(v => (int)Math.Clamp(Math.Round(v), 0, 255))];
                    for (int c = 0; c < 3; c++)
                        Assert.That(Math.Abs(rgb[c] - exact[c]), Is.LessThanOrEqualTo(tolerance), $"Y {y} Cb {cb} Cr {cr} channel {c}");
                }
            }
        }

        var grey = new byte[3];
        JpegColorConverter.YCbCrToRgb([77], [128], [128], grey);
        Assert.That(grey, Is.All.EqualTo((byte)77));
    }
}
