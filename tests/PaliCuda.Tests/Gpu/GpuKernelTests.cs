using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Every GPU kernel against the CPU reference op, on the PTX emulator and (category Gpu) on a CUDA device.
/// Inputs are bf16-representable; tolerances are derived in <see cref="Bf16Tolerance"/>.
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class GpuKernelTests(GpuTarget target)
{
    private GpuOpHarness Harness(int seed, GpuBackendOptions? options = null) => new(target, seed, options);

    [TestCase(1, 1), TestCase(3, 7), TestCase(2, 64), TestCase(1, 200), TestCase(2, 1152)]
    public void RmsNormMatchesReference(int rows, int cols)
    {
        using var h = Harness(1000 + cols);
        var x = h.Pair(h.Normal(rows * cols, 2), [rows, cols]);
        var w = h.Pair(h.Normal(cols, 0.5), [cols]);
        var y = h.Outputs([rows, cols]);
        h.Gpu.RmsNorm(x.Gpu, w.Gpu, 1e-6f, y.Gpu);
        h.Cpu.RmsNorm(x.Cpu, w.Cpu, 1e-6f, y.Cpu);
        GpuOpHarness.AssertClose("rmsnorm", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);
    }

    [TestCase(1, 8), TestCase(3, 7), TestCase(2, 1152)]
    public void FusedAddRmsNormEqualsNormAddNorm(int rows, int cols)
    {
        using var h = Harness(2000 + cols);
        var res = h.Pair(h.Normal(rows * cols, 3), [rows, cols]);
        var branch = h.Pair(h.Normal(rows * cols, 2), [rows, cols]);
        var wPost = h.Pair(h.Normal(cols, 0.3), [cols]);
        var wPre = h.Pair(h.Normal(cols, 0.3), [cols]);
        var hOut = h.Outputs([rows, cols]);
        var yOut = h.Outputs([rows, cols]);
        h.Gpu.AddRmsNorm(res.Gpu, branch.Gpu, wPost.Gpu, wPre.Gpu, 1e-6f, hOut.Gpu, yOut.Gpu);
        // Reference: the three CPU ops, with h rounded to bf16 as the fused kernel stores it.
        var post = h.Outputs([rows, cols]).Cpu;
        h.Cpu.RmsNorm(branch.Cpu, wPost.Cpu, 1e-6f, post);
        var postRounded = h.Pair(GpuOpHarness.RoundBf16(h.Read(h.Cpu, post)), [rows, cols]).Cpu;
        h.Cpu.Add(res.Cpu, postRounded, hOut.Cpu);
        var hRef = h.Read(h.Cpu, hOut.Cpu);
        var hRounded = h.Pair(GpuOpHarness.RoundBf16(hRef), [rows, cols]).Cpu;
        h.Cpu.RmsNorm(hRounded, wPre.Cpu, 1e-6f, yOut.Cpu);
        GpuOpHarness.AssertClose("residual h", hRef, h.Read(h.Gpu, hOut.Gpu), Bf16Tolerance.TwoRoundings);
        GpuOpHarness.AssertClose("pre-norm y", h.Read(h.Cpu, yOut.Cpu), h.Read(h.Gpu, yOut.Gpu), Bf16Tolerance.TwoRoundings);
    }

    [TestCase(1, 1), TestCase(3, 7), TestCase(2, 32), TestCase(2, 1152)]
    public void LayerNormMatchesReference(int rows, int cols)
    {
        using var h = Harness(3000 + cols);
        var x = h.Pair(h.Normal(rows * cols, 2, mean: 3), [rows, cols]);
        var g = h.Pair(h.Normal(cols, 1), [cols]);
        var b = h.Pair(h.Normal(cols, 1), [cols]);
        var y = h.Outputs([rows, cols]);
        h.Gpu.LayerNorm(x.Gpu, g.Gpu, b.Gpu, 1e-6f, y.Gpu);
        h.Cpu.LayerNorm(x.Cpu, g.Cpu, b.Cpu, 1e-6f, y.Cpu);
        // Centring a mean-3 row costs log2(3) extra bits relative to the output scale: bound doubled.
        GpuOpHarness.AssertClose("layernorm", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.TwoRoundings);
    }

    [TestCase(1, 1), TestCase(3, 7), TestCase(4, 64)]
    public void GeluAndBiasGeluMatchReference(int rows, int cols)
    {
        using var h = Harness(4000 + cols);
        var x = h.Pair(h.Normal(rows * cols, 2), [rows, cols]);
        var y = h.Outputs([rows, cols]);
        h.Gpu.GeluTanh(x.Gpu, y.Gpu);
        h.Cpu.GeluTanh(x.Cpu, y.Cpu);
        GpuOpHarness.AssertClose("gelu", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);

        var bias = h.Pair(h.Normal(cols), [cols]);
        var yb = h.Outputs([rows, cols]);
        h.Gpu.BiasGeluTanh(x.Gpu, bias.Gpu, yb.Gpu);
        var xs = h.Read(h.Cpu, x.Cpu);
        var bs = h.Read(h.Cpu, bias.Cpu);
        var sum = h.Pair(GpuOpHarness.RoundBf16(xs.Select((v, i) => v + bs[i % cols]).ToArray()), [rows, cols]).Cpu;
        h.Cpu.GeluTanh(sum, yb.Cpu);
        GpuOpHarness.AssertClose("bias+gelu", h.Read(h.Cpu, yb.Cpu), h.Read(h.Gpu, yb.Gpu), Bf16Tolerance.SingleRounding);
    }

    [TestCase(1, 1), TestCase(3, 7), TestCase(2, 64), TestCase(2, 136)]
    public void GeGluSeparateAndFusedMatchReference(int rows, int cols)
    {
        using var h = Harness(5000 + cols);
        var gate = h.Normal(rows * cols, 2);
        var up = h.Normal(rows * cols, 2);
        var g = h.Pair(gate, [rows, cols]);
        var u = h.Pair(up, [rows, cols]);
        var y = h.Outputs([rows, cols]);
        h.Gpu.GeGlu(g.Gpu, u.Gpu, y.Gpu);
        h.Cpu.GeGlu(g.Cpu, u.Cpu, y.Cpu);
        var reference = h.Read(h.Cpu, y.Cpu);
        GpuOpHarness.AssertClose("geglu", reference, h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);

        var fused = new float[rows * 2 * cols];
        for (var r = 0; r < rows; r++)
        {
            Array.Copy(gate, r * cols, fused, r * 2 * cols, cols);
            Array.Copy(up, r * cols, fused, r * 2 * cols + cols, cols);
        }
        var gu = h.Pair(fused, [rows, 2 * cols]);
        var yf = h.Outputs([rows, cols]);
        h.Gpu.GeGluFused(gu.Gpu, yf.Gpu);
        GpuOpHarness.AssertClose("geglu fused gate|up", reference, h.Read(h.Gpu, yf.Gpu), Bf16Tolerance.SingleRounding);
    }

    [TestCase(1), TestCase(7), TestCase(64), TestCase(1000)]
    public void AddScaleSoftCapMatchReference(int n)
    {
        using var h = Harness(6000 + n);
        var a = h.Pair(h.Normal(n, 3), [n]);
        var b = h.Pair(h.Normal(n, 3), [n]);
        var y = h.Outputs([n]);
        h.Gpu.Add(a.Gpu, b.Gpu, y.Gpu);
        h.Cpu.Add(a.Cpu, b.Cpu, y.Cpu);
        GpuOpHarness.AssertClose("add", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);

        foreach (var divide in new[] { false, true })
        {
            var s = h.Outputs([n], BufferDType.F32);
            h.Gpu.Scale(a.Gpu, 8f, divide, s.Gpu);
            h.Cpu.Scale(a.Cpu, 8f, divide, s.Cpu);
            GpuOpHarness.AssertClose($"scale divide={divide} bf16→f32", h.Read(h.Cpu, s.Cpu), h.Read(h.Gpu, s.Gpu), 64 * Bf16Tolerance.Fp32Roundoff);
        }

        var x32 = h.Pair(h.Normal(n, 20), [n], BufferDType.F32);
        var c = h.Outputs([n], BufferDType.F32);
        h.Gpu.SoftCap(x32.Gpu, 30f, c.Gpu);
        h.Cpu.SoftCap(x32.Cpu, 30f, c.Cpu);
        GpuOpHarness.AssertClose("softcap f32", h.Read(h.Cpu, c.Cpu), h.Read(h.Gpu, c.Gpu), 64 * Bf16Tolerance.Fp32Roundoff);
    }

    [TestCase(3, 2, 16), TestCase(2, 1, 72), TestCase(2, 2, 128), TestCase(1, 1, 256)]
    public void RopeMatchesReference(int tokens, int heads, int headDim)
    {
        using var h = Harness(7000 + headDim);
        var x = h.Pair(h.Normal(tokens * heads * headDim), [tokens, heads * headDim]);
        var positions = Enumerable.Range(0, tokens).Select(t => t == 0 ? 0 : h.Random.Next(1, 9000)).ToArray();
        var pos = h.Ints(positions);
        var y = h.Outputs([tokens, heads * headDim]);
        h.Gpu.Rope(x.Gpu, pos.Gpu, 1, heads, headDim, 10000f, y.Gpu);
        h.Cpu.Rope(x.Cpu, pos.Cpu, 1, heads, headDim, 10000f, y.Cpu);
        // Angles up to 9000 rad: one fp32 ulp of the angle (≈ 2^-10 rad) moves cos/sin by that much absolutely.
        GpuOpHarness.AssertClose("rope", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding + 1.0 / 1024);
    }

    [TestCase(1, 1, 1), TestCase(3, 5, 16), TestCase(2, 7, 33), TestCase(5, 3, 64)]
    public void MatMulMatchesReferenceWithAndWithoutBias(int m, int n, int k)
    {
        using var h = Harness(8000 + m * 100 + n * 10 + k);
        var xs = h.Normal(m * k);
        var ws = h.Normal(n * k, 0.5);
        var x = h.Pair(xs, [m, k]);
        var w = h.Pair(ws, [n, k]);
        var b = h.Pair(h.Normal(n), [n]);
        foreach (var (withBias, outType) in new[] { (false, BufferDType.BF16), (true, BufferDType.BF16), (false, BufferDType.F32) })
        {
            var y = h.Outputs([m, n], outType);
            h.Gpu.MatMul(x.Gpu, w.Gpu, withBias ? b.Gpu : null, y.Gpu);
            h.Cpu.MatMul(x.Cpu, w.Cpu, withBias ? b.Cpu : null, y.Cpu);
            var reference = h.Read(h.Cpu, y.Cpu);
            var actual = h.Read(h.Gpu, y.Gpu);
            var bias = h.Read(h.Cpu, b.Cpu);
            Assert.That(actual.Count(float.IsNaN), Is.EqualTo(0), "every output written");
            for (var i = 0; i < m; i++)
                for (var j = 0; j < n; j++)
                {
                    double abs = withBias ? Math.Abs(bias[j]) : 0;
                    for (var l = 0; l < k; l++) abs += Math.Abs(xs[i * k + l] * ws[j * k + l]);
                    var bound = outType == BufferDType.F32 ? k * Bf16Tolerance.Fp32Roundoff * abs + 1e-30 : Bf16Tolerance.GemmElementBound(reference[i * n + j], abs, k);
                    Assert.That(Math.Abs(actual[i * n + j] - reference[i * n + j]), Is.LessThanOrEqualTo(bound), $"y[{i},{j}] bias={withBias} out={outType}");
                }
            TestContext.Out.WriteLine($"matmul bias={withBias} out={outType}: {ErrorMeasure.Of(reference, actual)}");
        }
    }
}
