using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Config;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Attention prefill and split-KV decode against the CPU reference: masks, windows, GQA, head sizes, soft cap; each
/// fixture forces one attention.prefill variant, so both kernels are checked on every device.
/// </summary>
[TestFixture(GpuTarget.Emulated, "reference")]
[TestFixture(GpuTarget.Emulated, "flash_mma")]
[TestFixture(GpuTarget.Cuda, "reference", Category = "Gpu")]
[TestFixture(GpuTarget.Cuda, "flash_mma", Category = "Gpu")]
public class GpuAttentionTests(GpuTarget target, string prefillVariant)
{
    /// <summary>flash_mma rounds the probabilities to bf16 before P·V (see <see cref="Bf16Tolerance.RoundedProbabilities"/>).</summary>
    private double Tolerance => prefillVariant == "flash_mma" ? Bf16Tolerance.RoundedProbabilities : Bf16Tolerance.TwoRoundings;

    private GpuBackendOptions WithVariant(GpuBackendOptions? options)
    {
        var o = options ?? new GpuBackendOptions();
        return o with { Variants = new Dictionary<string, string>(o.Variants) { [KernelVariants.AttentionPrefill] = prefillVariant } };
    }

    // heads, kvHeads, headDim, tokens, window, semantics, softcap
    private static readonly object[] PrefillCases =
    [
        new object[] { 4, 2, 16, 12, 5, SlidingWindowSemantics.WindowAlways, 5f },
        new object[] { 2, 2, 32, 9, 4, SlidingWindowSemantics.WindowOrPrefix, 0f },
        new object[] { 8, 1, 72, 7, 3, SlidingWindowSemantics.None, 50f },
        new object[] { 2, 1, 128, 6, 0, SlidingWindowSemantics.WindowAlways, 0f },
        new object[] { 1, 1, 256, 5, 2, SlidingWindowSemantics.WindowAlways, 30f },
    ];

    [TestCaseSource(nameof(PrefillCases))]
    public void CachedPrefixCausalPrefillMatchesReference(int heads, int kvHeads, int headDim, int tokens, int window, SlidingWindowSemantics semantics, float softcap)
    {
        // The prompt (prefix) is shorter than the tokens written so far: rows past it are causal, and the window crosses both.
        var prefix = Math.Max(1, tokens - 3);
        var mask = AttentionMaskSpec.PrefixCausal(window > 0 ? window : null, semantics);
        var p = new AttentionParams(heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), softcap > 0 ? softcap : null, mask, KvLayout.HeadMajorCache);
        Run(p, tokens, capacity: tokens + 3, prefix, Enumerable.Range(0, tokens).ToArray(), seed: 9000 + headDim * 10 + heads);
    }

    [TestCase(4, 2, 16, 1), TestCase(8, 1, 72, 2), TestCase(2, 2, 256, 1)]
    public void SplitKvDecodeMatchesReference(int heads, int kvHeads, int headDim, int queries)
    {
        var mask = AttentionMaskSpec.PrefixCausal(6, SlidingWindowSemantics.WindowAlways);
        var p = new AttentionParams(heads, kvHeads, headDim, 0.25f, 5f, mask, KvLayout.HeadMajorCache);
        var capacity = 40;
        var positions = Enumerable.Range(0, queries).Select(i => 20 + i).ToArray();
        // Eight keys per split: several splits, one of them past the visible keys.
        Run(p, queries, capacity, prefix: 17, positions, seed: 9500 + headDim, new GpuBackendOptions { DecodeKeysPerSplit = 8 });
        Run(p with { Mask = AttentionMaskSpec.PrefixCausal(null, SlidingWindowSemantics.None) }, queries, capacity, prefix: 17, positions, seed: 9600 + headDim,
            new GpuBackendOptions { DecodeKeysPerSplit = 8 });
    }

    [TestCase(2, 1, 16, 7), TestCase(2, 2, 72, 5)]
    public void BidirectionalTokenMajorMatchesReference(int heads, int kvHeads, int headDim, int tokens)
    {
        using var h = new GpuOpHarness(target, 9900 + headDim, WithVariant(null));
        var p = new AttentionParams(heads, kvHeads, headDim, 0.3f, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        var q = h.Pair(h.Normal(tokens * heads * headDim), [tokens, heads * headDim]);
        var k = h.Pair(h.Normal(tokens * kvHeads * headDim), [tokens, kvHeads * headDim]);
        var v = h.Pair(h.Normal(tokens * kvHeads * headDim), [tokens, kvHeads * headDim]);
        var y = h.Outputs([tokens, heads * headDim]);
        h.Gpu.Attention(q.Gpu, k.Gpu, v.Gpu, null, null, p, y.Gpu);
        h.Cpu.Attention(q.Cpu, k.Cpu, v.Cpu, null, null, p, y.Cpu);
        GpuOpHarness.AssertClose("bidirectional attention", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Tolerance);
    }

    private void Run(AttentionParams p, int queries, int capacity, int prefix, int[] positions, int seed, GpuBackendOptions? options = null) =>
        AttentionCheck.AgainstReference(target, p, queries, capacity, prefix, positions, seed, WithVariant(options), Tolerance);
}
