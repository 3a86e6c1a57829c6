using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Devices;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Gpu.Quantized;

/// <summary>
/// The quantized linear kernels (GEMV, dequantize, dequantize + GEMM) against the CPU reference of the same quantized
/// math, on the PTX emulator and (category Gpu) on a CUDA device. Bounds: <see cref="QuantizedTolerance"/>.
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class QuantizedLinearTests(GpuTarget target)
{
    private (QuantizedTestDevice Device, QuantizedLinear Linear) Open(QuantizedLinearOptions? options = null)
    {
        var device = new QuantizedTestDevice(target);
        return (device, new QuantizedLinear(device.Device, device.Blas, (options ?? new QuantizedLinearOptions()) with { StripPtxLineInfo = device.Emulated }));
    }

    // (M, N, K): K a multiple of 128 and 16; K % 128 != 0 with K % 16 == 0 (1152 = 9 groups is a multiple; 1000 and
    // 200 are not); K % 16 != 0 (100, 200: the byte formats' scalar path, int4's masked activation loads); N = 1, odd N.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 128), (1, 5, 1152), (1, 3, 100), (2, 7, 200), (3, 1, 1000), (4, 9, 2304), (1, 17, 2304),
    ];

    private static IEnumerable<TestCaseData> GemvCases() =>
        from format in new[] { WeightFormat.Int8, WeightFormat.Int4, WeightFormat.Fp8 }
        from s in Shapes
        select new TestCaseData(format, s.M, s.N, s.K);

    [TestCaseSource(nameof(GemvCases))]
    public void GemvMatchesReference(WeightFormat format, int tokens, int rows, int columns)
    {
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        var p = QuantizedProblem.Random(format, tokens, rows, columns, seed: 100 * (int)format + 7 * tokens + rows + columns);
        var w = linear.Upload(p.Weight);
        int splits = QuantizedGemvGeometry.Splits(format, rows, columns, linear.Options);
        var y = p.Run(device.Device, BlasElementType.BFloat16, (x, _, yb) => linear.Gemv(x, tokens, w, null, yb, BlasElementType.BFloat16));
        p.AssertWithin($"gemv {format.ToName()} ({splits} splits)", y,
            (r, a, sx) => QuantizedTolerance.Gemv(format, r, a, sx, columns, splits, bf16Output: true));
    }

    [TestCase(WeightFormat.Int8), TestCase(WeightFormat.Int4), TestCase(WeightFormat.Fp8)]
    public void SplitKAgreesWithOnePassAndIsDeterministic(WeightFormat format)
    {
        const int tokens = 2, rows = 5, columns = 2304;
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        var p = QuantizedProblem.Random(format, tokens, rows, columns, seed: 5000 + (int)format, withBias: true);
        var w = linear.Upload(p.Weight);
        var results = new List<float[]>();
        foreach (var splits in new[] { 1, 3, 4, 3 })
        {
            var y = p.Run(device.Device, BlasElementType.Float32, (x, b, yb) => linear.Gemv(x, tokens, w, b, yb, BlasElementType.Float32, splits));
            p.AssertWithin($"gemv {format.ToName()} fp32 out + bias, {splits} splits", y,
                (r, a, sx) => QuantizedTolerance.Gemv(format, r, a, sx, columns, splits, bf16Output: false));
            results.Add(y);
        }
        Assert.That(results[3], Is.EqualTo(results[1]), "the same split count must give bit-identical results (no atomics)");
    }

    [TestCase(WeightFormat.Int8, 12, 6, 200), TestCase(WeightFormat.Int4, 9, 5, 1000), TestCase(WeightFormat.Fp8, 16, 3, 256)]
    public void DequantizeGemmMatchesReference(WeightFormat format, int tokens, int rows, int columns)
    {
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        Assert.That(linear.ChoosePath(tokens), Is.EqualTo(QuantizedLinearPath.DequantizeGemm), "more than 8 tokens take the GEMM path");
        Assert.That(linear.ChoosePath(1), Is.EqualTo(QuantizedLinearPath.Gemv));
        var p = QuantizedProblem.Random(format, tokens, rows, columns, seed: 7000 + (int)format + columns, withBias: true);
        var w = linear.Upload(p.Weight);
        var y = p.Run(device.Device, BlasElementType.BFloat16, (x, b, yb) => linear.Forward(x, tokens, w, b, yb, BlasElementType.BFloat16));
        p.AssertWithin($"dequantize + gemm {format.ToName()}", y,
            (r, a) => QuantizedTolerance.GemmElementBound(r, a, columns, bf16Output: true));
    }

    [TestCase(WeightFormat.Int8, 200), TestCase(WeightFormat.Int8, 256), TestCase(WeightFormat.Int4, 200),
     TestCase(WeightFormat.Int4, 384), TestCase(WeightFormat.Fp8, 100), TestCase(WeightFormat.Fp8, 256)]
    public void DequantizeKernelEqualsReferenceRoundedToBf16(WeightFormat format, int columns)
    {
        const int rows = 3;
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        var random = new Random(9000 + columns);
        TestContext.Out.WriteLine($"seed {9000 + columns}");
        var weight = QuantizedWeight.Quantize(format, QuantizedProblem.Normal(random, rows * columns, 0.05), rows, columns);
        AssertDequantizeExact(device.Device, linear, weight);
    }

    /// <summary>Every byte code of int8 and fp8 (including −128, fp8 subnormals and the NaN codes 0x7F/0xFF) decodes as the CPU reference does.</summary>
    [TestCase(WeightFormat.Int8), TestCase(WeightFormat.Fp8)]
    public void DequantizeDecodesEveryByteCode(WeightFormat format)
    {
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var scales = BitConverter.GetBytes(0.75f).Concat(BitConverter.GetBytes(3.0e-3f)).ToArray();
        var weight = new QuantizedWeight(format, 2, 128, data, scales);
        AssertDequantizeExact(device.Device, linear, weight);
    }

    /// <summary>The GEMV's register decode agrees with the reference on every finite byte code (NaN codes zeroed: one would make the row NaN).</summary>
    [TestCase(WeightFormat.Int8), TestCase(WeightFormat.Fp8)]
    public void GemvDecodesEveryFiniteByteCode(WeightFormat format)
    {
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        var data = Enumerable.Range(0, 256).Select(i => (byte)(format == WeightFormat.Fp8 && (i & 0x7F) == 0x7F ? 0 : i)).ToArray();
        var scales = BitConverter.GetBytes(0.75f).Concat(BitConverter.GetBytes(3.0e-3f)).ToArray();
        var random = new Random(11);
        var p = new QuantizedProblem(new QuantizedWeight(format, 2, 128, data, scales), QuantizedProblem.Normal(random, 128, 1), 1, null);
        var w = linear.Upload(p.Weight);
        var y = p.Run(device.Device, BlasElementType.Float32, (x, _, yb) => linear.Gemv(x, 1, w, null, yb, BlasElementType.Float32, splits: 1));
        p.AssertWithin($"gemv {format.ToName()} all codes", y, (r, a) => QuantizedTolerance.GemvElementBound(r, a, 128, 1, bf16Output: false));
    }

    [Test]
    public void BadOperandsAreRefusedWithTypedErrors()
    {
        var (device, linear) = Open();
        using var d = device;
        using var l = linear;
        var weight = linear.Upload(QuantizedWeight.Quantize(WeightFormat.Int4, new float[4 * 256], 4, 256), "layer.q");
        var x = device.Device.Allocate(2 * 16 * 256 + 16);
        var y = device.Device.Allocate(4 * 16 * 4);
        var tooMany = Assert.Throws<GpuLaunchException>(() => linear.Gemv(x, 9, weight, null, y, BlasElementType.Float32))!;
        Assert.That(tooMany.Message, Does.Contain("layer.q").And.Contain("9 tokens"));
        Assert.Throws<GpuLaunchException>(() => linear.Gemv(x.Slice(2), 1, weight, null, y, BlasElementType.Float32));
        Assert.Throws<GpuLaunchException>(() => linear.Gemv(x, 1, weight, null, y.Slice(0, 8), BlasElementType.Float32));
        Assert.Throws<GpuLaunchException>(() => linear.Gemv(x, 1, weight, null, y, BlasElementType.Float32, splits: 99));
        Assert.Throws<GpuLaunchException>(() => linear.DequantizeGemm(x, 12, weight, y, y, BlasElementType.Float32));
        Assert.Throws<ArgumentException>(() => _ = new DeviceQuantizedWeight(WeightFormat.Int4, 4, 300, weight.Data, weight.Scales));
        Assert.Throws<ArgumentException>(() => _ = new DeviceQuantizedWeight(WeightFormat.BF16, 4, 256, weight.Data, weight.Scales));
    }

    private static void AssertDequantizeExact(IComputeDevice device, QuantizedLinear linear, QuantizedWeight weight)
    {
        var w = linear.Upload(weight);
        var expected = QuantizedProblem.ToBf16Bits(weight.Dequantize());
        var buffer = device.Allocate(2L * weight.Rows * weight.Columns);
        device.Memset(buffer, 0xFF);
        linear.Dequantize(w, buffer);
        var actual = device.Download<ushort>(buffer);
        device.Free(buffer);
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            bool bothNaN = (expected[i] & 0x7FFF) > 0x7F80 && (actual[i] & 0x7FFF) > 0x7F80;
            if (expected[i] != actual[i] && !bothNaN) { mismatches++; if (first < 0) first = i; }
        }
        Assert.That(mismatches, Is.EqualTo(0),
            $"{weight.Format.ToName()} [{weight.Rows}, {weight.Columns}]: {mismatches} bf16 values differ from round(s·q), first at {first}: 0x{(first >= 0 ? actual[first] : 0):X4} vs 0x{(first >= 0 ? expected[first] : 0):X4}");
    }
}
