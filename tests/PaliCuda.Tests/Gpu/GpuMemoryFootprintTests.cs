using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Gpu;

/// <summary>The weight arena (one allocation, bf16 streamed from the checkpoint) and the planned activation peaks, on tiny-pg2 and the demo model.</summary>
public class GpuMemoryFootprintTests
{
    private const int WeightAlignment = 256;

    [TestCase("Fixtures/tiny-pg2"), TestCase("DemoAssets/demo-model")]
    public void WeightsFillOneArenaAndActivationsTheirPlannedPeak(string folder)
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(Path.Combine(TestContext.CurrentContext.TestDirectory, folder));
        var config = checkpoint.Config;
        var model = new PaliGemmaModel(config);
        using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
        using var weights = new WeightSet(gpu);
        var prompt = config.NumImageTokens + 8;
        var capacity = prompt + 32;
        var prefill = model.RecordPrefill(prompt, capacity, allLogits: false);
        var decode = model.RecordDecode(capacity);
        weights.Load(checkpoint.Weights, prefill, decode);
        var declared = prefill.OfKind(BufferKind.Weight).Concat(decode.OfKind(BufferKind.Weight)).DistinctBy(d => d.Name).ToList();
        var bf16Bytes = declared.Sum(d => d.ElementCount * 2);

        Assert.That(gpu.WeightArenaUsedBytes, Is.InRange(bf16Bytes, bf16Bytes + declared.Count * (WeightAlignment - 1L)), "every weight in the arena, bf16");
        Assert.That(gpu.WeightArenaBytes, Is.GreaterThanOrEqualTo(gpu.WeightArenaUsedBytes));
        Assert.That(weights.TotalBytes, Is.EqualTo(bf16Bytes), "no weight fell back to an allocation of its own");

        using var state = new StateSet(gpu);
        using var p = new Executor(prefill, weights, state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]);
        using var d = new Executor(decode, weights, state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]);
        Assert.That(p.PeakActivationBytes, Is.LessThan(p.Plan.UnplannedBytes), "the plan reuses slots");
        TestContext.Out.WriteLine($"{folder}: {declared.Count} weights, arena {gpu.WeightArenaBytes} B ({gpu.WeightArenaUsedBytes} B used, bf16 payload {bf16Bytes} B); "
            + $"KV cache (capacity {capacity}) {state.TotalBytes} B preallocated; activation peak prefill ({prompt} tokens) {p.PeakActivationBytes} B "
            + $"(unplanned {p.Plan.UnplannedBytes} B), decode {d.PeakActivationBytes} B");
    }
}
