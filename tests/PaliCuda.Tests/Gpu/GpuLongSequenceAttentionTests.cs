using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Config;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Attention at the lengths of PaliGemma 2 at 896 px, where the short sweeps elsewhere cannot reach: Gemma 2's sliding
/// window of 4,096 crossed by a prompt of 4,096 image tokens plus text, in prefill (both variants) and in split-KV
/// decode. Few heads and a small prefill head size keep the emulated runs to seconds: the window, prefix and split
/// arithmetic under test does not depend on them (head sizes are swept at short lengths in the other attention tests).
/// SigLIP's 4,096 bidirectional tokens are left out: O(n²) on the emulator, and their index range is far from int limits.
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class GpuLongSequenceAttentionTests(GpuTarget target)
{
    /// <summary>Gemma 2's sliding window and the image-token count at 896 px (64 × 64 patches).</summary>
    private const int Window = 4096, ImageTokens = 4096;
    /// <summary>A prompt of the image tokens and eight text tokens: the prefix ends past the window's reach.</summary>
    private const int Prefix = ImageTokens + 8;

    private static GpuBackendOptions Variant(string name) => AttentionCheck.ForcedPrefill(name);

    /// <summary>
    /// 16 prompt rows and 16 rows after them, over a cache of 4,200: rows at positions ≥ 4,096 lose the first keys to
    /// the window (under WindowAlways), rows past the prefix turn causal.
    /// </summary>
    [Test]
    public void GemmaPrefillChunkAcrossWindowAndPrefixMatchesReference(
        [Values("reference", "flash_mma")] string variant,
        [Values(SlidingWindowSemantics.WindowAlways, SlidingWindowSemantics.WindowOrPrefix, SlidingWindowSemantics.None)] SlidingWindowSemantics semantics)
    {
        var p = new AttentionParams(1, 1, 16, 0.25f, 50f, AttentionMaskSpec.PrefixCausal(Window, semantics), KvLayout.HeadMajorCache);
        var positions = Enumerable.Range(Prefix - 16, 32).ToArray();
        Run(p, positions.Length, 4200, Prefix, positions, seed: 15100 + (int)semantics, Variant(variant),
            variant == "flash_mma" ? Bf16Tolerance.RoundedProbabilities : Bf16Tolerance.TwoRoundings);
    }

    /// <summary>One decode query late in a 4,608-slot cache, split over the keys: the window excludes the first keys.</summary>
    [TestCase(SlidingWindowSemantics.WindowAlways, 4200), TestCase(SlidingWindowSemantics.WindowAlways, 4607),
     TestCase(SlidingWindowSemantics.WindowOrPrefix, 4607), TestCase(SlidingWindowSemantics.None, 4607)]
    public void GemmaDecodeLateInALongCacheMatchesReference(SlidingWindowSemantics semantics, int position)
    {
        var p = new AttentionParams(2, 1, 256, 1f / 16, 50f, AttentionMaskSpec.PrefixCausal(Window, semantics), KvLayout.HeadMajorCache);
        Run(p, 1, 4608, Prefix, [position], seed: 15200 + position, new GpuBackendOptions(), Bf16Tolerance.TwoRoundings);
    }

    private void Run(AttentionParams p, int queries, int capacity, int? prefix, int[]? positions, int seed, GpuBackendOptions options, double tolerance) =>
        AttentionCheck.AgainstReference(target, p, queries, capacity, prefix, positions, seed, options, tolerance);
}
