using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Backends.Gpu.Fusion;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Gpu;

/// <summary>The GPU fusion pass on tiny-pg2's graphs, the fused q|k|v kernel against the CPU ops it replaces, and fused against unfused runs.</summary>
public class GpuFusionTests
{
    /// <summary>
    /// Fused and unfused GPU runs differ only where the bias+GELU fusion rounds the fc1 GEMM output once more (one bf16
    /// rounding in each of the 2 vision layers); carried through the rest of the network that is bounded like the
    /// end-to-end comparison, √(rounded tensors)·u with the tensors downstream of fc1 (≈ 40): 8u.
    /// </summary>
    private const double FusedVersusUnfusedRelative = 8 * Bf16Tolerance.UnitRoundoff;

    private const int DecodeToken = 17;

    [Test]
    public void TinyPg2GraphsGetEveryFusion()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var model = new PaliGemmaModel(checkpoint.Config);
        using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
        using var weights = new WeightSet(gpu);
        var prefill = model.RecordPrefill(20, 24, allLogits: false);
        var decode = model.RecordDecode(24);
        weights.Load(checkpoint.Weights, prefill, decode);
        var layers = checkpoint.Config.Text.NumLayers;

        var (_, d) = GpuFusionPass.Apply(decode, new HashSet<BufferId>(), weights);
        TestContext.Out.WriteLine($"decode: {d}");
        Assert.That(d.Fused, Is.EquivalentTo(new Dictionary<string, int>
        {
            // post-attn norm + residual + pre-ff norm, and post-ff norm + residual + next input (or final) norm.
            ["AddRmsNorm"] = 2 * layers,
            ["QkvGemm+RopeCache"] = layers,
            ["GateUpGemm+GeGlu"] = layers,
            ["SoftCapArgMax"] = 1,
        }));
        Assert.That(d.Skipped, Is.Empty);

        var (_, p) = GpuFusionPass.Apply(prefill, new HashSet<BufferId>(), weights);
        TestContext.Out.WriteLine($"prefill: {p}");
        Assert.That(p.Fused["BiasGelu"], Is.EqualTo(checkpoint.Config.Vision.NumLayers));
        Assert.That(p.Fused["QkvGemm+RopeCache"], Is.EqualTo(layers));

        // A tapped intermediate keeps its op: layer 0's q projection is not fused when "text.0.q" must be readable.
        var (_, tapped) = GpuFusionPass.Apply(decode, new HashSet<BufferId> { decode.Find("text.0.q").Id }, weights);
        Assert.That(tapped.Fused["QkvGemm+RopeCache"], Is.EqualTo(layers - 1));
    }

    [Test]
    public void FusedPrefillAndDecodeMatchTheUnfusedGraphs()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var config = checkpoint.Config;
        var model = new PaliGemmaModel(config);
        var random = new Random(4242);
        TestContext.Out.WriteLine("seed 4242");
        var pixels = Enumerable.Range(0, config.Vision.NumChannels * config.Vision.ImageSize * config.Vision.ImageSize)
            .Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var prompt = Enumerable.Repeat(config.ImageTokenIndex, config.NumImageTokens).Concat([2, 17, 40, 5]).ToArray();
        const int capacity = 24;
        string[] taps = ["vision_last_hidden_state", "hidden_states.1", PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken];

        (Dictionary<string, float[]> Values, int Next, float[] DecodeLogits) Run(bool fuse)
        {
            using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated, new GpuBackendOptions { Fuse = fuse });
            using var weights = new WeightSet(gpu);
            var prefill = model.RecordPrefill(prompt.Length, capacity, allLogits: false);
            var decode = model.RecordDecode(capacity);
            weights.Load(checkpoint.Weights, prefill, decode);
            using var state = new StateSet(gpu);
            using var exec = new Executor(prefill, weights, state, taps);
            if (fuse) Assert.That(gpu.LastFusion!.OpsAfter, Is.LessThan(gpu.LastFusion.OpsBefore), gpu.LastFusion.ToString());
            exec.SetInput(PaliGemmaModel.PixelValues, pixels);
            exec.SetInput(PaliGemmaModel.InputIds, prompt);
            exec.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, prompt.Length).ToArray());
            exec.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
            exec.SetInput(PaliGemmaModel.PromptLength, [prompt.Length]);
            exec.Run();
            var values = taps.Where(t => t != PaliGemmaModel.NextToken).ToDictionary(t => t, exec.ReadFloat);
            var next = exec.ReadInt(PaliGemmaModel.NextToken)[0];
            using var step = new Executor(decode, weights, state, [PaliGemmaModel.LastLogits]);
            // A fixed token, so a near tie in the prompt's argmax cannot make the two decode steps incomparable.
            step.SetInput(PaliGemmaModel.InputIds, [DecodeToken]);
            step.SetInput(PaliGemmaModel.CachePosition, [prompt.Length]);
            step.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
            step.Run();
            return (values, next, step.ReadFloat(PaliGemmaModel.LastLogits));
        }

        var unfused = Run(fuse: false);
        var fused = Run(fuse: true);
        foreach (var (name, reference) in unfused.Values)
            GpuOpHarness.AssertClose($"fused vs unfused {name}", reference, fused.Values[name], FusedVersusUnfusedRelative);
        GpuOpHarness.AssertClose("fused vs unfused decode logits", unfused.DecodeLogits, fused.DecodeLogits, FusedVersusUnfusedRelative);
        TestContext.Out.WriteLine($"greedy token after the prompt: fused {fused.Next}, unfused {unfused.Next}");
    }

    [TestCase(1, 1, 1, 2, 3), TestCase(3, 4, 2, 16, 9), TestCase(2, 8, 1, 72, 5), TestCase(1, 2, 2, 256, 4)]
    public void QkvRopeCacheEqualsRopeAndCacheWritesOnTheColumnBlocks(int tokens, int heads, int kvHeads, int headDim, int capacity)
    {
        using var h = new GpuOpHarness(GpuTarget.Emulated, 18_000 + headDim * 10 + heads);
        int qd = heads * headDim, kvd = kvHeads * headDim, width = qd + 2 * kvd;
        var qkv = h.Normal(tokens * width);
        float[] Block(int start, int cols) => Enumerable.Range(0, tokens).SelectMany(t => qkv.Skip(t * width + start).Take(cols)).ToArray();
        var positions = Enumerable.Range(0, capacity).OrderBy(_ => h.Random.Next()).Take(tokens).ToArray();
        var pos = h.Ints(positions);
        var fusedIn = h.Pair(qkv, [tokens, width]);
        var q = h.Pair(Block(0, qd), [tokens, qd]);
        var k = h.Pair(Block(qd, kvd), [tokens, kvd]);
        var v = h.Pair(Block(qd + kvd, kvd), [tokens, kvd]);
        var cacheStart = h.Normal(kvHeads * capacity * headDim);
        var kCache = h.Pair(cacheStart, [kvHeads, capacity, headDim]);
        var vCache = h.Pair(cacheStart, [kvHeads, capacity, headDim]);
        var qOut = h.Outputs([tokens, qd]);
        var kRope = h.Outputs([tokens, kvd]);

        h.Gpu.QkvRopeCache(fusedIn.Gpu, pos.Gpu, 1, heads, kvHeads, headDim, 10000f, qOut.Gpu, kCache.Gpu, vCache.Gpu);
        h.Cpu.Rope(q.Cpu, pos.Cpu, 1, heads, headDim, 10000f, qOut.Cpu);
        h.Cpu.Rope(k.Cpu, pos.Cpu, 1, kvHeads, headDim, 10000f, kRope.Cpu);
        h.Cpu.KvCacheWrite(kRope.Cpu, pos.Cpu, kCache.Cpu);
        h.Cpu.KvCacheWrite(v.Cpu, pos.Cpu, vCache.Cpu);

        GpuOpHarness.AssertClose("rope(q)", h.Read(h.Cpu, qOut.Cpu), h.Read(h.Gpu, qOut.Gpu), Bf16Tolerance.SingleRounding);
        GpuOpHarness.AssertClose("key cache", h.Read(h.Cpu, kCache.Cpu), h.Read(h.Gpu, kCache.Gpu), Bf16Tolerance.SingleRounding);
        Assert.That(h.Read(h.Gpu, vCache.Gpu), Is.EqualTo(h.Read(h.Cpu, vCache.Cpu)), "value cache: copied rows and untouched rows exact");
    }
}
