using System.Runtime.InteropServices;
using NUnit.Framework;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Quantization;

public class QuantizationFormatTests
{
    /// <summary>
    /// Slack on the half-step bound, in units of the scale: w / s and s · q each round once in fp32 (relative 2⁻²⁴ of
    /// a value up to 128 steps), so the error may exceed s/2 by at most 2 · 128 · 2⁻²⁴ · s = 2⁻¹⁵ · s.
    /// </summary>
    private const float RoundingSlackInSteps = 1f / 32768;

    private static float[] RandomMatrix(int rows, int columns, int seed, float std = 0.02f)
    {
        var random = new Random(seed);
        var w = new float[rows * columns];
        for (int i = 0; i < w.Length; i++)
            w[i] = std * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return w;
    }

    [TestCase(8, 64)]
    [TestCase(5, 200)]
    public void Int8ReconstructsEveryWeightWithinHalfAStep(int rows, int columns)
    {
        var w = RandomMatrix(rows, columns, seed: columns);
        var packed = QuantizedWeight.Quantize(WeightFormat.Int8, w, rows, columns);
        var scales = MemoryMarshal.Cast<byte, float>(packed.Scales);
        var q = MemoryMarshal.Cast<byte, sbyte>(packed.Data);
        var deq = packed.Dequantize();
        for (int r = 0; r < rows; r++)
        {
            float max = w.AsSpan(r * columns, columns).ToArray().Max(MathF.Abs);
            Assert.That(scales[r], Is.EqualTo(max / 127f));
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                Assert.That(Math.Abs(w[i] - deq[i]), Is.LessThanOrEqualTo(scales[r] * (0.5f + RoundingSlackInSteps)), $"[{r}, {c}]");
                Assert.That(deq[i], Is.EqualTo(scales[r] * q[i]));
                Assert.That(q[i], Is.InRange(-127, 127));
            }
        }
    }

    [TestCase(3, 128)]
    [TestCase(4, 200)]
    [TestCase(2, 96)]
    public void Int4ReconstructsEveryWeightWithinHalfItsGroupStepAndPadsWithZero(int rows, int columns)
    {
        var w = RandomMatrix(rows, columns, seed: rows * columns);
        var packed = QuantizedWeight.Quantize(WeightFormat.Int4, w, rows, columns);
        int padded = Int4GroupFormat.PaddedColumns(columns), groups = padded / Int4GroupFormat.GroupSize;
        Assert.That(packed.Data, Has.Length.EqualTo(rows * padded / 2));
        var scaleBits = MemoryMarshal.Cast<byte, ushort>(packed.Scales);
        var deq = packed.Dequantize();
        var q = new sbyte[padded];
        for (int r = 0; r < rows; r++)
        {
            Int4GroupFormat.Unpack(packed.Data.AsSpan(r * padded / 2, padded / 2), q);
            Assert.That(q[columns..], Is.All.EqualTo(0), "padding decodes to 0");
            for (int c = 0; c < columns; c++)
            {
                float s = BFloat16.FromBits(scaleBits[r * groups + c / Int4GroupFormat.GroupSize]);
                int i = r * columns + c;
                Assert.That(Math.Abs(w[i] - deq[i]), Is.LessThanOrEqualTo(s * (0.5f + RoundingSlackInSteps)), $"[{r}, {c}]");
                // s · q is exact in fp32 (8-bit significand × 4-bit integer), the value a kernel multiplying in fp32 gets.
                Assert.That((double)deq[i], Is.EqualTo((double)s * q[c]));
            }
        }
    }

    [Test]
    public void Int4UsesMinusEightOnlyWhenTheNegativeSideDominates()
    {
        float[] w = [.. Enumerable.Repeat(0f, 126), -0.8f, 0.7f];
        var q = new sbyte[128];
        var packed = QuantizedWeight.Quantize(WeightFormat.Int4, w, 1, 128);
        Int4GroupFormat.Unpack(packed.Data, q);
        Assert.That(BFloat16.FromBits(MemoryMarshal.Cast<byte, ushort>(packed.Scales)[0]).ToSingle(), Is.EqualTo(0.1f).Within(0.1f / 128));
        Assert.That(q[126], Is.EqualTo(-8));
        Assert.That(q[127], Is.EqualTo(7));
    }

    [Test]
    public void Int4NibblesFollowTheDocumentedSlotOrder()
    {
        sbyte[] q = [-8, -7, -6, -5, -4, -3, -2, -1];
        var bytes = new byte[4];
        Int4GroupFormat.Pack(q, bytes);
        uint word = BitConverter.ToUInt32(bytes);
        for (int j = 0; j < 8; j++)
            Assert.That((word >> (4 * j)) & 0xF, Is.EqualTo(q[Int4GroupFormat.SlotElement[j]] + 8), $"slot {j}");
        // The kernel's trick: (word >> 4t) & 0x000F000F holds elements 2t and 2t+1 in its two 16-bit halves.
        for (int t = 0; t < 4; t++)
        {
            uint pair = (word >> (4 * t)) & 0x000F000F;
            Assert.That(pair & 0xF, Is.EqualTo(q[2 * t] + 8));
            Assert.That(pair >> 16, Is.EqualTo(q[2 * t + 1] + 8));
            // bf16 (128 + n) built by OR-ing the exponent of 128, minus 136, is q exactly.
            Assert.That(BFloat16.FromBits((ushort)(0x4300 | (pair & 0xF))) - 136f, Is.EqualTo(q[2 * t]));
        }
    }

    [Test]
    public void Int4PackAndUnpackAreInverse()
    {
        var random = new Random(7);
        var q = new sbyte[256];
        for (int i = 0; i < q.Length; i++) q[i] = (sbyte)random.Next(-8, 8);
        var packed = new byte[128];
        Int4GroupFormat.Pack(q, packed);
        var back = new sbyte[256];
        Int4GroupFormat.Unpack(packed, back);
        Assert.That(back, Is.EqualTo(q));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4GroupFormat.Pack([8, 0, 0, 0, 0, 0, 0, 0], new byte[4]));
    }

    [Test]
    public void Fp8EveryFiniteCodeRoundTripsAndConversionSaturatesWithHalfEven()
    {
        for (int code = 0; code < 256; code++)
        {
            if ((code & 0x7F) == 0x7F) { Assert.That(float.IsNaN(Fp8E4M3.ToSingle((byte)code))); continue; }
            var value = Fp8E4M3.ToSingle((byte)code);
            Assert.That(Fp8E4M3.FromSingle(value), Is.EqualTo(code == 0x80 ? 0x80 : code), $"code 0x{code:X2} = {value}");
        }
        Assert.That(Fp8E4M3.ToSingle(0x7E), Is.EqualTo(448f));
        Assert.That(Fp8E4M3.ToSingle(0x01), Is.EqualTo(1f / 512));
        Assert.That(Fp8E4M3.FromSingle(1e9f), Is.EqualTo(0x7E));
        Assert.That(Fp8E4M3.FromSingle(-470f), Is.EqualTo(0xFE));
        Assert.That(Fp8E4M3.ToSingle(Fp8E4M3.FromSingle(1.0625f)), Is.EqualTo(1f), "tie between 1 and 1.125 goes to the even mantissa");
        Assert.That(Fp8E4M3.ToSingle(Fp8E4M3.FromSingle(1.1875f)), Is.EqualTo(1.25f), "tie between 1.125 and 1.25 goes to the even mantissa");
        Assert.That(Fp8E4M3.ToSingle(Fp8E4M3.FromSingle(3f / 1024)), Is.EqualTo(2f / 512), "subnormal tie 1.5 steps goes to 2 steps");
        Assert.That(float.IsNaN(Fp8E4M3.ToSingle(Fp8E4M3.FromSingle(float.NaN))));
    }

    [Test]
    public void Fp8RowsReconstructWithinHalfAnE4M3Step()
    {
        const int rows = 6, columns = 96;
        var w = RandomMatrix(rows, columns, seed: 3);
        var packed = QuantizedWeight.Quantize(WeightFormat.Fp8, w, rows, columns);
        var scales = MemoryMarshal.Cast<byte, float>(packed.Scales);
        var deq = packed.Dequantize();
        for (int i = 0; i < w.Length; i++)
        {
            float s = scales[i / columns];
            // Half an e4m3 step: 2⁻⁴ of the magnitude for normals (3 mantissa bits), 2⁻¹⁰ · s among subnormals; plus fp32 slack.
            float bound = Math.Max(Math.Abs(w[i]) / 16, s / 1024) * (1 + RoundingSlackInSteps);
            Assert.That(Math.Abs(w[i] - deq[i]), Is.LessThanOrEqualTo(bound), $"element {i}");
        }
        Assert.That(deq.Max(MathF.Abs), Is.EqualTo(w.Max(MathF.Abs)).Within(1e-9f));
    }

    [Test]
    public void AllZeroRowsQuantizeToZero()
    {
        foreach (var format in new[] { WeightFormat.Int8, WeightFormat.Int4, WeightFormat.Fp8 })
            Assert.That(QuantizedWeight.Quantize(format, new float[2 * 40], 2, 40).Dequantize(), Is.All.EqualTo(0f), format.ToName());
    }

    [Test]
    public void RowDequantizationMatchesTheWholeTable()
    {
        var w = RandomMatrix(9, 160, seed: 11);
        foreach (var format in new[] { WeightFormat.Int8, WeightFormat.Int4, WeightFormat.Fp8 })
        {
            var packed = QuantizedWeight.Quantize(format, w, 9, 160);
            var all = packed.Dequantize();
            var row = new float[160];
            packed.DequantizeRow(4, row);
            Assert.That(row, Is.EqualTo(all.AsSpan(4 * 160, 160).ToArray()), format.ToName());
        }
    }
}
