using NUnit.Framework;
using PaliCuda.Config;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Backends;

/// <summary>Each CPU op against a double-precision scalar reference on random inputs (the seed is printed).</summary>
public class CpuBackendOpTests
{
    /// <summary>Elementwise ops: a handful of float32 roundings (tanh, exp, products) → 16 roundoffs of the magnitude.</summary>
    private const double ElementwiseRelative = 16 * NaiveOps.Roundoff;
    /// <summary>Absolute floor for values near zero, where relative bounds are meaningless (16 roundoffs of 1).</summary>
    private const double ElementwiseAbsolute = 16 * NaiveOps.Roundoff;
    /// <summary>Dot products of length K: the classic bound γ_K·Σ|x·w| with γ_K ≈ K·u (Higham), doubled for the bias add.</summary>
    private static double DotBound(int k, double absSum) => 2 * k * NaiveOps.Roundoff * absSum + 1e-12;

    private static CpuOpHarness Harness(int seed)
    {
        TestContext.Out.WriteLine($"seed {seed}");
        return new CpuOpHarness(seed);
    }

    private static void AssertClose(float[] actual, double[] expected, Func<int, double> bound, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (var i = 0; i < expected.Length; i++)
            Assert.That(Math.Abs(actual[i] - expected[i]), Is.LessThanOrEqualTo(bound(i)), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    private static Func<int, double> Elementwise(double[] expected) => i => ElementwiseRelative * Math.Abs(expected[i]) + ElementwiseAbsolute;

    [TestCase(11, 1, 64, 48)]     // decode-like single row, serial path
    [TestCase(12, 37, 70, 129)]   // odd sizes, parallel tiles, remainder columns
    [TestCase(13, 5, 3, 7)]       // fewer columns than one micro-kernel block
    public void MatMulMatchesScalarReference(int seed, int m, int n, int k)
    {
        var h = Harness(seed);
        float[] x = h.Normal(m * k), w = h.Normal(n * k), b = h.Normal(n);
        foreach (var bias in new[] { true, false })
        {
            var y = h.Output(m, n);
            h.Backend.MatMul(h.Tensor(x, m, k), h.Tensor(w, n, k), bias ? h.Tensor(b, n) : null, y);
            var expected = NaiveOps.MatMul(x, w, bias ? b : null, m, n, k, out var abs);
            AssertClose(h.Read(y), expected, i => DotBound(k, abs[i]), $"matmul bias={bias}");
        }
    }

    [TestCase(21)]
    [TestCase(22)]
    public void LayerNormMatchesScalarReference(int seed)
    {
        var h = Harness(seed);
        const int rows = 9, d = 40;
        float[] x = h.Normal(rows * d, 3), g = h.Normal(d), b = h.Normal(d);
        var y = h.Output(rows, d);
        h.Backend.LayerNorm(h.Tensor(x, rows, d), h.Tensor(g, d), h.Tensor(b, d), 1e-6f, y);
        var expected = new double[rows * d];
        for (var r = 0; r < rows; r++)
        {
            var row = x.Skip(r * d).Take(d).Select(v => (double)v).ToArray();
            var mean = row.Average();
            var variance = row.Select(v => (v - mean) * (v - mean)).Average();
            for (var i = 0; i < d; i++) expected[r * d + i] = (row[i] - mean) / Math.Sqrt(variance + 1e-6) * g[i] + b[i];
        }
        AssertClose(h.Read(y), expected, Elementwise(expected), "layernorm");
    }

    [TestCase(31)]
    [TestCase(32)]
    public void GemmaRmsNormMultipliesByOnePlusWeight(int seed)
    {
        var h = Harness(seed);
        const int rows = 7, d = 48;
        float[] x = h.Normal(rows * d, 5), w = h.Normal(d, 0.1);
        var y = h.Output(rows, d);
        h.Backend.RmsNorm(h.Tensor(x, rows, d), h.Tensor(w, d), 1e-6f, y);
        var expected = new double[rows * d];
        for (var r = 0; r < rows; r++)
        {
            var ms = Enumerable.Range(0, d).Select(i => (double)x[r * d + i] * x[r * d + i]).Average();
            for (var i = 0; i < d; i++) expected[r * d + i] = x[r * d + i] / Math.Sqrt(ms + 1e-6) * (1 + w[i]);
        }
        AssertClose(h.Read(y), expected, Elementwise(expected), "rmsnorm");
    }

    [TestCase(41)]
    public void ElementwiseOpsMatchScalarReference(int seed)
    {
        var h = Harness(seed);
        const int rows = 6, d = 33;
        float[] a = h.Normal(rows * d, 4), b = h.Normal(rows * d, 4);
        DeviceTensorPair(h, a, b, rows, d, out var ta, out var tb);

        var y = h.Output(rows, d);
        h.Backend.GeluTanh(ta, y);
        var gelu = a.Select(v => NaiveOps.Gelu(v)).ToArray();
        AssertClose(h.Read(y), gelu, Elementwise(gelu), "gelu");

        h.Backend.GeGlu(ta, tb, y);
        var geglu = a.Select((v, i) => NaiveOps.Gelu(v) * b[i]).ToArray();
        AssertClose(h.Read(y), geglu, Elementwise(geglu), "geglu");

        h.Backend.Add(ta, tb, y);
        var sum = a.Select((v, i) => (double)v + b[i]).ToArray();
        AssertClose(h.Read(y), sum, Elementwise(sum), "add");

        h.Backend.Scale(ta, 0.37f, false, y);
        var mul = a.Select(v => v * (double)0.37f).ToArray();
        AssertClose(h.Read(y), mul, Elementwise(mul), "scale");

        h.Backend.Scale(ta, 7.5f, true, y);
        var div = a.Select(v => v / 7.5).ToArray();
        AssertClose(h.Read(y), div, Elementwise(div), "scale-divide");

        h.Backend.SoftCap(ta, 3f, y);
        var cap = a.Select(v => 3 * Math.Tanh(v / 3.0)).ToArray();
        AssertClose(h.Read(y), cap, Elementwise(cap), "softcap");
        Assert.That(h.Read(y).Max(Math.Abs), Is.LessThanOrEqualTo(3f));
    }

    private static void DeviceTensorPair(CpuOpHarness h, float[] a, float[] b, int rows, int d, out PaliCuda.Backends.DeviceTensor ta, out PaliCuda.Backends.DeviceTensor tb)
    {
        ta = h.Tensor(a, rows, d);
        tb = h.Tensor(b, rows, d);
    }

    [TestCase(51)]
    public void RopeRotatesHalvesByPositionTimesInverseFrequency(int seed)
    {
        var h = Harness(seed);
        const int tokens = 5, heads = 3, hd = 8;
        var x = h.Normal(tokens * heads * hd);
        int[] cachePos = [0, 1, 7, 100, 3];
        var y = h.Output(tokens, heads * hd);
        h.Backend.Rope(h.Tensor(x, tokens, heads * hd), h.Ints(cachePos), 1, heads, hd, 10000f, y);
        var expected = new double[x.Length];
        for (var t = 0; t < tokens; t++)
            for (var hh = 0; hh < heads; hh++)
                for (var i = 0; i < hd / 2; i++)
                {
                    var angle = (cachePos[t] + 1) * Math.Pow(10000, -2.0 * i / hd);
                    int lo = t * heads * hd + hh * hd + i, hi = lo + hd / 2;
                    expected[lo] = x[lo] * Math.Cos(angle) - x[hi] * Math.Sin(angle);
                    expected[hi] = x[hi] * Math.Cos(angle) + x[lo] * Math.Sin(angle);
                }
        // The float32 angle p·inv_freq (inv_freq ≤ 1) is off by up to p·u radians, p ≤ 101 here; y then moves by at most
        // (|x_lo| + |x_hi|)·p·u, with |x| < 5 for these normal samples.
        const double ropeBound = 2 * 5 * 101 * NaiveOps.Roundoff + ElementwiseAbsolute;
        AssertClose(h.Read(y), expected, _ => ropeBound, "rope");
    }

    [TestCase(61)]
    [TestCase(62)]
    public void BidirectionalTokenMajorAttentionMatchesReference(int seed)
    {
        var h = Harness(seed);
        const int t = 6, heads = 4, kvHeads = 2, hd = 8;
        float[] q = h.Normal(t * heads * hd), k = h.Normal(t * kvHeads * hd), v = h.Normal(t * kvHeads * hd);
        var p = new AttentionParams(heads, kvHeads, hd, 0.35f, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        var y = h.Output(t, heads * hd);
        h.Backend.Attention(h.Tensor(q, t, heads * hd), h.Tensor(k, t, kvHeads * hd), h.Tensor(v, t, kvHeads * hd), null, null, p, y);
        var expected = new double[t * heads * hd];
        for (var i = 0; i < t; i++)
            for (var hh = 0; hh < heads; hh++)
            {
                var g = hh / (heads / kvHeads);
                var o = NaiveOps.Attention(j => k.Skip((j * kvHeads + g) * hd).Take(hd).ToArray(), j => v.Skip((j * kvHeads + g) * hd).Take(hd).ToArray(),
                    q.Skip((i * heads + hh) * hd).Take(hd).ToArray(), t, 0.35, null, _ => true);
                o.CopyTo(expected, (i * heads + hh) * hd);
            }
        AssertClose(h.Read(y), expected, _ => 64 * NaiveOps.Roundoff, "attention");
    }

    [TestCase(71, SlidingWindowSemantics.WindowAlways)]
    [TestCase(72, SlidingWindowSemantics.WindowOrPrefix)]
    [TestCase(73, SlidingWindowSemantics.None)]
    public void CachedSlidingAttentionFollowsEachWindowSemantics(int seed, SlidingWindowSemantics semantics)
    {
        // Prompt of 6 in a cache of 10, window 3: query rows at cache positions 0..5 (prefill) and 8 (decode).
        var h = Harness(seed);
        const int heads = 2, kvHeads = 1, hd = 4, cap = 10, prompt = 6, window = 3;
        int[] positions = [0, 1, 2, 3, 4, 5, 8];
        var rows = positions.Length;
        float[] q = h.Normal(rows * heads * hd, 2), kc = h.Normal(kvHeads * cap * hd, 2), vc = h.Normal(kvHeads * cap * hd);
        var spec = AttentionMaskSpec.PrefixCausal(window, semantics);
        var p = new AttentionParams(heads, kvHeads, hd, 0.5f, 2.5f, spec, KvLayout.HeadMajorCache);
        var y = h.Output(rows, heads * hd);
        h.Backend.Attention(h.Tensor(q, rows, heads * hd), h.Tensor(kc, kvHeads, cap, hd), h.Tensor(vc, kvHeads, cap, hd),
            h.Ints(positions), h.Ints([prompt]), p, y);

        // Independent statement of the three rules.
        bool Visible(int i, int j)
        {
            var causalOrPrefix = j < prompt || j <= i;
            var inWindow = j > i - window;
            return semantics switch
            {
                SlidingWindowSemantics.WindowAlways => causalOrPrefix && inWindow,
                SlidingWindowSemantics.WindowOrPrefix => causalOrPrefix && (inWindow || (i < prompt && j < prompt)),
                _ => causalOrPrefix,
            };
        }
        var expected = new double[rows * heads * hd];
        for (var r = 0; r < rows; r++)
            for (var hh = 0; hh < heads; hh++)
            {
                var qi = positions[r];
                var o = NaiveOps.Attention(j => kc.Skip(j * hd).Take(hd).ToArray(), j => vc.Skip(j * hd).Take(hd).ToArray(),
                    q.Skip((r * heads + hh) * hd).Take(hd).ToArray(), Math.Max(prompt, qi + 1), 0.5, 2.5, j => Visible(qi, j));
                o.CopyTo(expected, (r * heads + hh) * hd);
            }
        AssertClose(h.Read(y), expected, _ => 64 * NaiveOps.Roundoff, $"attention {semantics}");
    }

    [Test]
    public void WindowSemanticsDifferOnAConstructedCase()
    {
        // Prompt 6, window 3. Query 5 → key 1 is in the prompt but outside the window; decode query 8 → key 1 likewise.
        var always = AttentionMaskSpec.PrefixCausal(3, SlidingWindowSemantics.WindowAlways);
        var orPrefix = AttentionMaskSpec.PrefixCausal(3, SlidingWindowSemantics.WindowOrPrefix);
        var none = AttentionMaskSpec.PrefixCausal(3, SlidingWindowSemantics.None);
        Assert.Multiple(() =>
        {
            Assert.That(always.IsVisible(5, 1, 6), Is.False);
            Assert.That(orPrefix.IsVisible(5, 1, 6), Is.True);
            Assert.That(none.IsVisible(5, 1, 6), Is.True);
            Assert.That(always.IsVisible(8, 1, 6), Is.False);
            Assert.That(orPrefix.IsVisible(8, 1, 6), Is.False);
            Assert.That(none.IsVisible(8, 1, 6), Is.True);
            // Looking ahead inside the prompt is never limited; later generated tokens are never visible.
            Assert.That(always.IsVisible(0, 5, 6), Is.True);
            Assert.That(none.IsVisible(6, 7, 6), Is.False);
            // Decode keeps exactly the last `window` positions including the current one.
            Assert.That(Enumerable.Range(0, 9).Count(j => always.IsVisible(8, j, 6)), Is.EqualTo(3));
        });
    }

    [TestCase(81)]
    public void GatherScatterPatchifySliceArgMaxAndCacheWrite(int seed)
    {
        var h = Harness(seed);
        var table = h.Normal(10 * 4);
        var y = h.Output(3, 4);
        h.Backend.EmbeddingGather(h.Tensor(table, 10, 4), h.Ints([9, 0, 9]), y);
        Assert.That(h.Read(y), Is.EqualTo(table.Skip(36).Concat(table.Take(4)).Concat(table.Skip(36)).ToArray()));
        Assert.Throws<ModelInputException>(() => h.Backend.EmbeddingGather(h.Tensor(table, 10, 4), h.Ints([10, 0, 1]), y));

        var embeds = h.Normal(4 * 2);
        var feats = h.Normal(2 * 2);
        var merged = h.Output(4, 2);
        h.Backend.ScatterImageFeatures(h.Tensor(embeds, 4, 2), h.Ints([7, 1, 7, 2]), h.Tensor(feats, 2, 2), 7, merged);
        Assert.That(h.Read(merged), Is.EqualTo(new[] { feats[0], feats[1], embeds[2], embeds[3], feats[2], feats[3], embeds[6], embeds[7] }));
        Assert.Throws<ModelInputException>(() => h.Backend.ScatterImageFeatures(h.Tensor(embeds, 4, 2), h.Ints([7, 1, 1, 2]), h.Tensor(feats, 2, 2), 7, merged));

        // Patchify + MatMul equals a stride-P convolution.
        const int c = 3, s = 6, ps = 3, d = 5;
        float[] pixels = h.Normal(c * s * s), kernel = h.Normal(d * c * ps * ps);
        var cols = h.Output(4, c * ps * ps);
        h.Backend.Patchify(h.Tensor(pixels, c, s, s), ps, cols);
        var conv = h.Output(4, d);
        h.Backend.MatMul(cols, h.Tensor(kernel, d, c * ps * ps), null, conv);
        var expected = new double[4 * d];
        for (var py = 0; py < 2; py++)
            for (var px = 0; px < 2; px++)
                for (var o = 0; o < d; o++)
                {
                    double acc = 0;
                    for (var ch = 0; ch < c; ch++)
                        for (var ky = 0; ky < ps; ky++)
                            for (var kx = 0; kx < ps; kx++)
                                acc += (double)pixels[(ch * s + py * ps + ky) * s + px * ps + kx] * kernel[((o * c + ch) * ps + ky) * ps + kx];
                    expected[(py * 2 + px) * d + o] = acc;
                }
        AssertClose(h.Read(conv), expected, _ => 1e-5, "patch conv");

        var slice = h.Output(1, d);
        h.Backend.SliceRows(conv, 3, slice);
        Assert.That(h.Read(slice), Is.EqualTo(h.Read(conv).Skip(3 * d).ToArray()));

        var am = h.IntOutput(2);
        h.Backend.ArgMax(h.Tensor([1f, 5f, 5f, 9f, 0f, 2f, 8f, 1f], 2, 4), 3, am);
        Assert.That(h.ReadInts(am), Is.EqualTo(new[] { 1, 2 }), "first maximum, columns ≥ limit ignored");

        var src = h.Normal(2 * 2 * 3);
        var cache = h.Output(2, 5, 3);
        h.Backend.KvCacheWrite(h.Tensor(src, 2, 6), h.Ints([4, 1]), cache);
        var cv = h.Read(cache);
        Assert.That(cv.Skip((0 * 5 + 4) * 3).Take(3), Is.EqualTo(src.Take(3)));
        Assert.That(cv.Skip((1 * 5 + 1) * 3).Take(3), Is.EqualTo(src.Skip(9).Take(3)));
        Assert.Throws<ModelInputException>(() => h.Backend.KvCacheWrite(h.Tensor(src, 2, 6), h.Ints([5, 1]), cache));
    }
}
