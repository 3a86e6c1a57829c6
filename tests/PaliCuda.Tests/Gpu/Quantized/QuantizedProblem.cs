using System.Runtime.InteropServices;
using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Gpu.Quantized;

/// <summary>
/// One y = x·Wᵀ problem: random weights quantized by the CPU reference, bf16 activations, and the fp64 reference
/// computed from the exact dequantized weights. The seed is printed; outputs are poisoned with NaN before each run.
/// </summary>
internal sealed class QuantizedProblem
{
    private const byte PoisonByte = 0xFF;

    public QuantizedWeight Weight { get; }
    public float[] X { get; }
    public float[]? Bias { get; }
    public int Tokens { get; }
    public int Rows => Weight.Rows;
    public int Columns => Weight.Columns;
    /// <summary>Σ_k x·w in fp64 (+ bias), [Tokens, Rows].</summary>
    public double[] Reference { get; }
    /// <summary>Σ_k |x·w| (+ |bias|), the scale of the summation error.</summary>
    public double[] AbsoluteDot { get; }
    /// <summary>int4 only (0 otherwise): Σ_k s_group(k)·|x_k|, the scale of the GEMV's nibble-bias cancellation error.</summary>
    public double[] ScaledAbsoluteX { get; }

    public QuantizedProblem(QuantizedWeight weight, float[] x, int tokens, float[]? bias)
    {
        Weight = weight;
        X = x;
        Tokens = tokens;
        Bias = bias;
        var w = weight.Dequantize();
        int n = weight.Rows, k = weight.Columns;
        Reference = new double[tokens * n];
        AbsoluteDot = new double[tokens * n];
        ScaledAbsoluteX = new double[tokens * n];
        var groupScales = weight.Format == WeightFormat.Int4 ? MemoryMarshal.Cast<byte, ushort>(weight.Scales).ToArray() : null;
        int groups = Int4GroupFormat.GroupCount(k);
        for (int m = 0; m < tokens; m++)
            for (int r = 0; r < n; r++)
            {
                double sum = bias?[r] ?? 0, abs = Math.Abs(bias?[r] ?? 0);
                for (int c = 0; c < k; c++)
                {
                    double p = (double)x[m * k + c] * w[(long)r * k + c];
                    sum += p;
                    abs += Math.Abs(p);
                    if (groupScales is not null)
                        ScaledAbsoluteX[m * n + r] += (float)BFloat16.FromBits(groupScales[r * groups + c / Int4GroupFormat.GroupSize]) * Math.Abs((double)x[m * k + c]);
                }
                Reference[m * n + r] = sum;
                AbsoluteDot[m * n + r] = abs;
            }
    }

    public static QuantizedProblem Random(WeightFormat format, int tokens, int rows, int columns, int seed, bool withBias = false)
    {
        TestContext.Out.WriteLine($"seed {seed}: {format.ToName()} M={tokens} N={rows} K={columns}");
        var random = new Random(seed);
        var w = Normal(random, (long)rows * columns, 0.05);
        var x = Normal(random, (long)tokens * columns, 1.0);
        var bias = withBias ? Normal(random, rows, 0.5) : null;
        return new QuantizedProblem(QuantizedWeight.Quantize(format, w, rows, columns), x, tokens, bias);
    }

    public static float[] Normal(Random random, long count, double std)
    {
        var r = new float[count];
        for (long i = 0; i < count; i++)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            r[i] = RoundBf16((float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
        }
        return r;
    }

    public static float RoundBf16(float v) => BFloat16.FromBits(BFloat16.RoundToBits(v));

    public static ushort[] ToBf16Bits(float[] values) => values.Select(BFloat16.RoundToBits).ToArray();

    /// <summary>Uploads x and the bias, runs <paramref name="run"/> into a poisoned y, and returns y as floats.</summary>
    public float[] Run(IComputeDevice device, BlasElementType outputType, Action<DeviceBuffer, DeviceBuffer?, DeviceBuffer> run)
    {
        var x = device.Upload<ushort>(ToBf16Bits(X));
        DeviceBuffer? bias = Bias is null ? null : device.Upload<ushort>(ToBf16Bits(Bias));
        int elementBytes = outputType == BlasElementType.BFloat16 ? 2 : 4;
        var y = device.Allocate((long)Tokens * Rows * elementBytes);
        device.Memset(y, PoisonByte);
        run(x, bias, y);
        var raw = new byte[y.ByteLength];
        device.CopyDeviceToHost(y, raw);
        device.Free(x);
        device.Free(y);
        if (bias is { } b) device.Free(b);
        return outputType == BlasElementType.BFloat16
            ? MemoryMarshal.Cast<byte, ushort>(raw).ToArray().Select(BFloat16.FromBits).Select(v => (float)v).ToArray()
            : MemoryMarshal.Cast<byte, float>(raw).ToArray();
    }

    /// <summary>Asserts every element within <paramref name="bound"/>(reference, Σ|x·w|) and written (no NaN); returns the worst error / bound.</summary>
    public double AssertWithin(string what, float[] actual, Func<double, double, double> bound) =>
        AssertWithin(what, actual, (r, a, _) => bound(r, a));

    /// <summary>As above with the bound also given <see cref="ScaledAbsoluteX"/>.</summary>
    public double AssertWithin(string what, float[] actual, Func<double, double, double, double> bound)
    {
        Assert.That(actual, Has.Length.EqualTo(Reference.Length), $"{what}: length");
        double worst = 0, d2 = 0, r2 = 0;
        int failures = 0, first = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(actual[i] - Reference[i]), b = bound(Reference[i], AbsoluteDot[i], ScaledAbsoluteX[i]);
            if (!(err <= b))
            {
                failures++;
                if (first < 0) first = i;
            }
            if (double.IsFinite(err)) worst = Math.Max(worst, err / b);
            d2 += (actual[i] - Reference[i]) * (actual[i] - Reference[i]);
            r2 += Reference[i] * Reference[i];
        }
        TestContext.Out.WriteLine($"{what}: rel L2 {Math.Sqrt(d2 / Math.Max(r2, 1e-300)):E3}, worst |err|/bound {worst:E2}");
        Assert.That(failures, Is.EqualTo(0),
            $"{what}: {failures} elements outside the bound (or NaN), first at {first}: got {(first >= 0 ? actual[first] : 0)}, reference {(first >= 0 ? Reference[first] : 0)}");
        return worst;
    }
}
