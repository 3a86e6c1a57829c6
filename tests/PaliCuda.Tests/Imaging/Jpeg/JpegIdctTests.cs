using NUnit.Framework;
using PaliCuda.Imaging.Jpeg;

namespace PaliCuda.Tests.Imaging.Jpeg;

/// <summary>libjpeg's integer IDCT (JDCT_ISLOW) as reproduced by <see cref="JpegIdct"/>.</summary>
public class JpegIdctTests
{
    /// <summary>islow rounds twice (after each pass) with 13-bit constants: it stays within 1 level of the exact IDCT rounded.</summary>
    private const int IslowVersusExactTolerance = 1;

    private static readonly short[] UnitQuant = Enumerable.Repeat((short)1, 64).ToArray();

    private static byte[] Run(short[] coefficients, short[]? quant = null)
    {
        var output = new byte[64];
        JpegIdct.Transform(coefficients, quant ?? UnitQuant, output, 0, 8);
        return output;
    }

    /// <summary>The textbook 2-D IDCT in double precision, level-shifted by 128, rounded and clamped.</summary>
    private static byte[] ExactIdct(short[] coefficients, short[] quant)
    {
        var output = new byte[64];
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
            {
                double sum = 0;
                for (int v = 0; v < 8; v++)
                {
                    for (int u = 0; u < 8; u++)
                    {
                        double cu = u == 0 ? Math.Sqrt(0.5) : 1, cv = v == 0 ? Math.Sqrt(0.5) : 1;
                        sum += cu * cv * coefficients[v * 8 + u] * quant[v * 8 + u]
                            * Math.Cos((2 * x + 1) * u * Math.PI / 16) * Math.Cos((2 * y + 1) * v * Math.PI / 16);
                    }
                }

                output[y * 8 + x] = (byte)Math.Clamp(Math.Round(sum / 4 + 128, MidpointRounding.AwayFromZero), 0, 255);
            }
        }

        return output;
    }

    [TestCase(0)]
    [TestCase(8)]
    [TestCase(-200)]
    [TestCase(1000)]
    [TestCase(-1030)]
    public void DcOnlyBlockIsFlat(int dc)
    {
        var coefficients = new short[64];
        coefficients[0] = (short)dc;
        byte[] output = Run(coefficients);
        // The flat level is DC/8 + 128: the column pass scales by 4, the row pass divides by 2^5 rounding half up.
        int expected = Math.Clamp((int)Math.Floor(dc / 8.0 + 0.5) + 128, 0, 255);
        Assert.That(output, Is.All.EqualTo((byte)expected));
    }

    [Test]
    public void SingleHorizontalFrequencyMatchesHandComputedIslow()
    {
        // F(0,1) = 100 with unit quantiser. Column 1 has no AC terms, so the column pass stores 100·4 = 400 in every
        // row. Row pass, x1 = 400 only (even part 0): z5 = 400·9633 = 3853200; tmp3 = 400·12299 − 400·7373 + (3853200 −
        // 400·3196) = 4545200; tmp2 = 3853200; tmp1 = 2574800; tmp0 = −2949200 + 3853200 = 904000. Each output is
        // (±tmp + 2^17) >> 18, + 128: 17, 15, 10, 3, −3, −10, −15, −17 → 145, 143, 138, 131, 125, 118, 113, 111.
        var coefficients = new short[64];
        coefficients[1] = 100;
        byte[] row = [145, 143, 138, 131, 125, 118, 113, 111];
        byte[] output = Run(coefficients);
        for (int y = 0; y < 8; y++)
            Assert.That(output[(y * 8)..(y * 8 + 8)], Is.EqualTo(row), $"row {y}");
    }

    [Test]
    public void SingleVerticalFrequencyIsTheTransposeOfTheHorizontalOne()
    {
        var horizontal = new short[64];
        var vertical = new short[64];
        horizontal[1] = -37;
        vertical[8] = -37;
        byte[] h = Run(horizontal), v = Run(vertical);
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
                Assert.That(v[y * 8 + x], Is.EqualTo(h[x * 8 + y]), $"({x},{y})");
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RandomBlocksAgreeWithDoublePrecisionIdctWithinOne(int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 50; trial++)
        {
            var coefficients = new short[64];
            var quant = new short[64];
            for (int i = 0; i < 64; i++)
            {
                quant[i] = (short)random.Next(1, 12);
                // Energy falls with frequency, as in real images, so few outputs reach the clamp.
                int spread = i == 0 ? 60 : 24 / (1 + i / 8 + i % 8);
                coefficients[i] = (short)random.Next(-spread, spread + 1);
            }

            byte[] ours = Run(coefficients, quant), exact = ExactIdct(coefficients, quant);
            for (int i = 0; i < 64; i++)
                Assert.That(Math.Abs(ours[i] - exact[i]), Is.LessThanOrEqualTo(IslowVersusExactTolerance), $"trial {trial}, sample {i}");
        }
    }

    [Test]
    public void RangeLimitFollowsLibjpegTable()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JpegIdct.RangeLimit(-128), Is.EqualTo(0));
            Assert.That(JpegIdct.RangeLimit(0), Is.EqualTo(128));
            Assert.That(JpegIdct.RangeLimit(127), Is.EqualTo(255));
            Assert.That(JpegIdct.RangeLimit(128), Is.EqualTo(255));
            Assert.That(JpegIdct.RangeLimit(511), Is.EqualTo(255));
            Assert.That(JpegIdct.RangeLimit(-129), Is.EqualTo(0));
            Assert.That(JpegIdct.RangeLimit(-512), Is.EqualTo(0));
            // Beyond ±512 the table index wraps modulo 1024 (RANGE_MASK), as in libjpeg.
            Assert.That(JpegIdct.RangeLimit(512), Is.EqualTo(0));
            Assert.That(JpegIdct.RangeLimit(1024), Is.EqualTo(128));
        });
    }
}
