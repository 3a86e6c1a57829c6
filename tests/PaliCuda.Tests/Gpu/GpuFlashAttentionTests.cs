using NUnit.Framework;
using PaliCuda.Backends;
using PaliCuda.Backends.Gpu;
using PaliCuda.Config;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// The flash_mma prefill kernel (forced by name) against the CPU reference: head sizes 16/32/72/128/256, sequence
/// lengths around the 64-row and 64/32-key tiles, prefix and window boundaries, the three window semantics, GQA 1/2/8,
/// soft cap on and off; plus how the backend picks or refuses the variant.
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class GpuFlashAttentionTests(GpuTarget target)
{
    private static GpuBackendOptions Variant(string name) => AttentionCheck.ForcedPrefill(name);

    private static readonly int[] HeadDims = [16, 32, 72, 128, 256];
    private static readonly int[] Lengths = [1, 17, 64, 65, 130];

    /// <summary>SigLIP-style: token-major K/V, every key visible; GQA and soft cap vary with the case index.</summary>
    private static IEnumerable<TestCaseData> BidirectionalCases()
    {
        var i = 0;
        foreach (var hd in HeadDims)
            foreach (var n in Lengths)
            {
                var (heads, kv) = (i % 3) switch { 0 => (2, 2), 1 => (4, 2), _ => (8, 1) };
                var softcap = i % 2 == 0 ? 0f : 30f;
                yield return new TestCaseData(hd, n, heads, kv, softcap).SetName($"Bidirectional(d={hd}, n={n}, heads={heads}/{kv}, cap={softcap})");
                i++;
            }
    }

    [TestCaseSource(nameof(BidirectionalCases))]
    public void BidirectionalMatchesReference(int headDim, int tokens, int heads, int kvHeads, float softcap)
    {
        var p = new AttentionParams(heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), softcap > 0 ? softcap : null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        Run(p, tokens, tokens, prefix: null, positions: null, seed: 12000 + headDim * 1000 + tokens);
    }

    // heads, kvHeads, headDim, tokens, prefix, window (0 = global layer), semantics, softcap
    private static readonly object[] CausalCases =
    [
        new object[] { 2, 2, 16, 17, 9, 4, SlidingWindowSemantics.WindowAlways, 50f },
        new object[] { 4, 4, 32, 1, 1, 4, SlidingWindowSemantics.WindowAlways, 0f },
        new object[] { 4, 2, 32, 65, 40, 16, SlidingWindowSemantics.WindowOrPrefix, 0f },
        new object[] { 8, 1, 16, 130, 70, 32, SlidingWindowSemantics.WindowAlways, 0f },
        new object[] { 8, 1, 16, 130, 70, 32, SlidingWindowSemantics.WindowOrPrefix, 50f },
        new object[] { 8, 1, 72, 65, 30, 20, SlidingWindowSemantics.None, 30f },
        new object[] { 2, 2, 72, 130, 100, 64, SlidingWindowSemantics.WindowOrPrefix, 0f },
        new object[] { 4, 2, 128, 130, 100, 48, SlidingWindowSemantics.WindowOrPrefix, 50f },
        new object[] { 2, 2, 128, 64, 64, 0, SlidingWindowSemantics.WindowAlways, 0f },
        new object[] { 2, 1, 256, 65, 33, 16, SlidingWindowSemantics.WindowAlways, 50f },
        new object[] { 2, 2, 256, 17, 17, 8, SlidingWindowSemantics.WindowOrPrefix, 0f },
    ];

    /// <summary>Gemma-style prefill into the KV cache: the prompt (prefix) ends inside the tokens and the window crosses it.</summary>
    [TestCaseSource(nameof(CausalCases))]
    public void CachedPrefixCausalMatchesReference(int heads, int kvHeads, int headDim, int tokens, int prefix, int window, SlidingWindowSemantics semantics, float softcap)
    {
        var mask = AttentionMaskSpec.PrefixCausal(window > 0 ? window : null, semantics);
        var p = new AttentionParams(heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), softcap > 0 ? softcap : null, mask, KvLayout.HeadMajorCache);
        Run(p, tokens, capacity: tokens + 5, prefix, Enumerable.Range(0, tokens).ToArray(), seed: 13000 + headDim * 100 + tokens);
    }

    /// <summary>A later chunk of a prompt: positions start inside the prefix and run past it, over a larger cache.</summary>
    [TestCase(SlidingWindowSemantics.WindowAlways), TestCase(SlidingWindowSemantics.WindowOrPrefix), TestCase(SlidingWindowSemantics.None)]
    public void ChunkAtAnOffsetMatchesReference(SlidingWindowSemantics semantics)
    {
        var p = new AttentionParams(4, 2, 32, 0.2f, 20f, AttentionMaskSpec.PrefixCausal(12, semantics), KvLayout.HeadMajorCache);
        Run(p, 17, capacity: 80, prefix: 45, Enumerable.Range(40, 17).ToArray(), seed: 14000 + (int)semantics);
    }

    /// <summary>The prefix-causal rule on token-major keys (no prefix tensor: the whole sequence is the prefix, the window still limits).</summary>
    [Test]
    public void TokenMajorWindowMatchesReference()
    {
        var p = new AttentionParams(2, 1, 72, 0.15f, null, AttentionMaskSpec.PrefixCausal(10, SlidingWindowSemantics.WindowAlways), KvLayout.TokenMajor);
        Run(p, 65, 65, prefix: null, positions: null, seed: 14100);
    }

    /// <summary>Rows with a position outside the cache get NaN, exactly as in the reference kernel; the other rows agree.</summary>
    [Test]
    public void InvalidPositionRowsAreNaNLikeTheReferenceKernel()
    {
        var p = new AttentionParams(2, 1, 32, 0.25f, null, AttentionMaskSpec.PrefixCausal(8, SlidingWindowSemantics.WindowAlways), KvLayout.HeadMajorCache);
        int[] positions = [0, 5, 99, 7, -1, 12];
        var outputs = new List<float[]>();
        foreach (var variant in new[] { "flash_mma", "reference" })
        {
            using var h = new GpuOpHarness(target, 14200, Variant(variant));
            var (q, k, v) = Inputs(h, p, positions.Length, 20);
            var y = h.Outputs([positions.Length, p.NumHeads * p.HeadDim]);
            h.Gpu.Attention(q.Gpu, k.Gpu, v.Gpu, h.Ints(positions).Gpu, h.Ints([10]).Gpu, p, y.Gpu);
            outputs.Add(h.Read(h.Gpu, y.Gpu));
        }
        var width = p.NumHeads * p.HeadDim;
        for (var t = 0; t < positions.Length; t++)
        {
            var bad = positions[t] is < 0 or >= 20;
            var row = outputs[0].AsSpan(t * width, width).ToArray();
            Assert.That(row.All(float.IsNaN), Is.EqualTo(bad), $"row {t} (position {positions[t]}): NaN exactly when the position is outside the cache");
            if (!bad)
                GpuOpHarness.AssertClose($"row {t}", outputs[1].AsSpan(t * width, width).ToArray(), row, Bf16Tolerance.RoundedProbabilities);
        }
    }

    [Test]
    public void ExplicitFlashOnAnUnsupportedHeadSizeThrows()
    {
        using var h = new GpuOpHarness(target, 14300, Variant("flash_mma"));
        var p = new AttentionParams(2, 2, 20, 0.2f, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        var (q, k, v) = Inputs(h, p, 5, 5);
        var y = h.Outputs([5, 40]);
        var e = Assert.Throws<GpuLaunchException>(() => h.Gpu.Attention(q.Gpu, k.Gpu, v.Gpu, null, null, p, y.Gpu));
        Assert.That(e!.Message, Does.Contain("flash_mma").And.Contain("head size 20"));
    }

    [Test]
    public void DefaultFlashFallsBackToReferenceWithAReason()
    {
        using var h = new GpuOpHarness(target, 14400);
        Assert.That(KernelVariants.Resolve(KernelVariants.AttentionPrefill, null), Is.EqualTo("flash_mma"), "flash_mma is the default prefill variant");
        var p = new AttentionParams(2, 2, 20, 0.2f, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        var (q, k, v) = Inputs(h, p, 5, 5);
        var y = h.Outputs([5, 40]);
        h.Gpu.Attention(q.Gpu, k.Gpu, v.Gpu, null, null, p, y.Gpu);
        h.Cpu.Attention(q.Cpu, k.Cpu, v.Cpu, null, null, p, y.Cpu);
        Assert.That(h.Gpu.VariantFallbacks, Has.Count.EqualTo(1));
        Assert.That(h.Gpu.VariantFallbacks.Single(), Does.Contain("flash_mma -> reference").And.Contain("head size 20"));
        GpuOpHarness.AssertClose("fallback attention", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.TwoRoundings);
    }

    /// <summary>A query view starting one bf16 into its buffer cannot be copied in 16-byte chunks.</summary>
    [Test]
    public void MisalignedTensorsAreRefusedWhenExplicitAndFallBackByDefault()
    {
        var p = new AttentionParams(2, 2, 16, 0.3f, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        foreach (var explicitChoice in new[] { true, false })
        {
            using var h = new GpuOpHarness(target, 14600, explicitChoice ? Variant("flash_mma") : null);
            var (_, k, v) = Inputs(h, p, 6, 6);
            var data = h.Normal(6 * 32 + 1);
            var whole = h.GpuTensor([6 * 32 + 1], BufferDType.BF16, "q+1");
            h.Gpu.Write(whole, data);
            var q = whole with { ByteOffset = 2, Shape = [6, 32], Name = "q" };
            var qCpu = h.Cpu.UploadWeight("q", data[1..], [6, 32]);
            var y = h.Outputs([6, 32]);
            if (explicitChoice)
            {
                var e = Assert.Throws<GpuLaunchException>(() => h.Gpu.Attention(q, k.Gpu, v.Gpu, null, null, p, y.Gpu));
                Assert.That(e!.Message, Does.Contain("'q' is not 16-byte aligned"));
                continue;
            }
            h.Gpu.Attention(q, k.Gpu, v.Gpu, null, null, p, y.Gpu);
            h.Cpu.Attention(qCpu, k.Cpu, v.Cpu, null, null, p, y.Cpu);
            Assert.That(h.Gpu.VariantFallbacks.Single(), Does.Contain("'q' is not 16-byte aligned"));
            GpuOpHarness.AssertClose("misaligned fallback", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.TwoRoundings);
        }
    }

    [Test]
    public void SupportedShapesRecordNoFallback()
    {
        using var h = new GpuOpHarness(target, 14500);
        var p = new AttentionParams(2, 2, 72, 0.2f, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        var (q, k, v) = Inputs(h, p, 9, 9);
        var y = h.Outputs([9, 144]);
        h.Gpu.Attention(q.Gpu, k.Gpu, v.Gpu, null, null, p, y.Gpu);
        Assert.That(h.Gpu.VariantFallbacks, Is.Empty);
    }

    private static ((DeviceTensor Gpu, DeviceTensor Cpu) Q, (DeviceTensor Gpu, DeviceTensor Cpu) K, (DeviceTensor Gpu, DeviceTensor Cpu) V) Inputs(
        GpuOpHarness h, AttentionParams p, int queries, int capacity) => AttentionCheck.Inputs(h, p, queries, capacity);

    private void Run(AttentionParams p, int queries, int capacity, int? prefix, int[]? positions, int seed) =>
        AttentionCheck.AgainstReference(target, p, queries, capacity, prefix, positions, seed, Variant("flash_mma"), Bf16Tolerance.RoundedProbabilities);
}
