using NUnit.Framework;
using PaliCuda.Numerics;

namespace PaliCuda.Tests.Numerics;

public class BFloat16Tests
{
    [Test]
    public void EveryPatternSurvivesWideningAndNarrowing()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = BFloat16.FromBits((ushort)bits);
            float wide = value;
            Assert.That(BitConverter.SingleToUInt32Bits(wide), Is.EqualTo((uint)bits << 16), "widening is exact");
            var back = (BFloat16)wide;
            if (BFloat16.IsNaN(value))
            {
                Assert.That(BFloat16.IsNaN(back), Is.True, $"NaN 0x{bits:X4} must stay NaN");
                Assert.That(back.RawValue & 0x8000, Is.EqualTo(bits & 0x8000), "NaN keeps its sign");
                Assert.That(back.RawValue & 0x0040, Is.EqualTo(0x0040), "NaN comes back quiet");
            }
            else
            {
                Assert.That(back.RawValue, Is.EqualTo((ushort)bits), $"0x{bits:X4}");
            }
        }
    }

    [Test]
    public void SpanConvertersMatchTheScalarOnesForEveryPattern()
    {
        var patterns = Enumerable.Range(0, 65536).Select(b => BFloat16.FromBits((ushort)b)).ToArray();
        var wide = new float[patterns.Length];
        BFloat16.ToSingle(patterns, wide);
        Assert.That(wide.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(patterns.Select(p => BitConverter.SingleToUInt32Bits(p))));

        // Narrowing: every pattern with each interesting low half (below, at and above the tie, odd and even).
        ushort[] lowHalves = [0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF];
        var floats = Enumerable.Range(0, 65536).SelectMany(b => lowHalves.Select(l => BitConverter.UInt32BitsToSingle(((uint)b << 16) | l))).ToArray();
        var narrow = new BFloat16[floats.Length];
        BFloat16.FromSingle(floats, narrow);
        for (int i = 0; i < floats.Length; i++)
            if (narrow[i].RawValue != BFloat16.RoundToBits(floats[i]))
                Assert.Fail($"element {i} (0x{BitConverter.SingleToUInt32Bits(floats[i]):X8}): vector 0x{narrow[i].RawValue:X4}, scalar 0x{BFloat16.RoundToBits(floats[i]):X4}");
    }

    [TestCase(0x3F808000u, (ushort)0x3F80, TestName = "Tie with even kept part rounds down")]
    [TestCase(0x3F818000u, (ushort)0x3F82, TestName = "Tie with odd kept part rounds up")]
    [TestCase(0x3F808001u, (ushort)0x3F81, TestName = "Just above the tie rounds up")]
    [TestCase(0x3F807FFFu, (ushort)0x3F80, TestName = "Just below the tie rounds down")]
    [TestCase(0xBF818000u, (ushort)0xBF82, TestName = "Negative ties round by magnitude")]
    [TestCase(0x7F7FFFFFu, (ushort)0x7F80, TestName = "float.MaxValue rounds to infinity")]
    [TestCase(0x7F7F7FFFu, (ushort)0x7F7F, TestName = "Below the overflow threshold stays finite")]
    [TestCase(0x7F7F8000u, (ushort)0x7F80, TestName = "Overflow tie rounds to infinity (odd kept part)")]
    [TestCase(0x00000001u, (ushort)0x0000, TestName = "Smallest float subnormal flushes to zero by rounding")]
    [TestCase(0x00018000u, (ushort)0x0002, TestName = "Subnormal tie rounds to even")]
    [TestCase(0x007FFFFFu, (ushort)0x0080, TestName = "Largest subnormal rounds up into the normals")]
    [TestCase(0x80000000u, (ushort)0x8000, TestName = "Negative zero keeps its sign")]
    [TestCase(0xFF800000u, (ushort)0xFF80, TestName = "Negative infinity")]
    [TestCase(0x7F800001u, (ushort)0x7FC0, TestName = "Signalling NaN with payload only in the low half becomes quiet NaN")]
    [TestCase(0xFFC00000u, (ushort)0xFFC0, TestName = "Negative quiet NaN")]
    public void RoundsToNearestEven(uint floatBits, ushort expected)
    {
        Assert.That(BFloat16.RoundToBits(BitConverter.UInt32BitsToSingle(floatBits)), Is.EqualTo(expected));
        Span<BFloat16> one = stackalloc BFloat16[1];
        BFloat16.FromSingle([BitConverter.UInt32BitsToSingle(floatBits)], one);
        Assert.That(one[0].RawValue, Is.EqualTo(expected), "span converter");
    }

    [Test]
    public void EqualityFollowsFloatSemantics()
    {
        var posZero = BFloat16.FromBits(0x0000);
        var negZero = BFloat16.FromBits(0x8000);
        Assert.That(posZero == negZero, Is.True);
        Assert.That(posZero.Equals(negZero), Is.True);
        Assert.That(BFloat16.NaN == BFloat16.NaN, Is.False, "IEEE ==");
        Assert.That(BFloat16.NaN.Equals(BFloat16.NaN), Is.True, "Equals is reflexive, like float.Equals");
        Assert.That(BFloat16.One != BFloat16.Zero, Is.True);
        Assert.That(BFloat16.One.GetHashCode(), Is.EqualTo(((BFloat16)1.0f).GetHashCode()));
        Assert.That(BFloat16.One.CompareTo(BFloat16.Zero), Is.Positive);
    }

    [Test]
    public void ToStringPrintsTheExactValue()
    {
        Assert.That(BFloat16.One.ToString(), Is.EqualTo("1"));
        Assert.That(((BFloat16)(-2.5f)).ToString(), Is.EqualTo("-2.5"));
        Assert.That(BFloat16.FromBits(0x3F81).ToString(), Is.EqualTo(BitConverter.UInt32BitsToSingle(0x3F810000).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(float.IsPositiveInfinity(BFloat16.PositiveInfinity), Is.True);
        Assert.That((float)BFloat16.MaxValue, Is.EqualTo((2f - MathF.Pow(2, -7)) * MathF.Pow(2, 127)));
    }

    [Test]
    public void SpanConvertersRejectShortDestinations()
    {
        Assert.Throws<ArgumentException>(() => BFloat16.ToSingle(new BFloat16[4], new float[3]));
        Assert.Throws<ArgumentException>(() => BFloat16.FromSingle(new float[4], new BFloat16[3]));
    }
}
