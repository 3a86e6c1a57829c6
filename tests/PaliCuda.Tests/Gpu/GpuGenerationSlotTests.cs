using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Native.Driver;
using PaliCuda.Tests.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Pooled generation slots on the GPU backend (the shipped kernels, capture and replay), on the emulated device and on
/// a CUDA GPU: a class's second generation replays the prefill and decode graphs its first captured, with its own
/// inputs, and gives bit for bit what a fresh slot (every graph issued op by op) gives; so does a slot whose captured
/// decode outlived a workspace growth.
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class GpuGenerationSlotTests(GpuTarget target)
{
    private static readonly Lazy<CudaAvailability> Cuda = new(CudaDriver.Probe);
    private const int NewTokens = 6;
    private static readonly GenerationOptions Options = new() { MaxNewTokens = NewTokens, StopTokenIds = [], RecordStepLogits = true };

    private PaliGemmaEngine Load(EngineOptions options)
    {
        if (target == GpuTarget.Cuda && !Cuda.Value.Available) Assert.Ignore($"No CUDA device: {Cuda.Value.Reason}");
        return PaliGemmaEngine.Load(TestPaths.TinyPg2, options with { Device = target == GpuTarget.Emulated ? DeviceKind.Emulated : DeviceKind.Cuda });
    }

    private static void AssertSame(GenerationResult expected, GenerationResult actual, string what)
    {
        Assert.That(actual.TokenIds, Is.EqualTo(expected.TokenIds), $"{what}: tokens");
        for (var s = 0; s < expected.StepLogits!.Count; s++)
            Assert.That(actual.StepLogits![s], Is.EqualTo(expected.StepLogits[s]), $"{what}: step {s} logits, bit for bit");
    }

    private static GenerationResult Finish(Generator g)
    {
        while (g.Next() is not null) { }
        return g.ToResult();
    }

    [Test]
    public void ReusedSlotsReplayTheirCapturedGraphsWithNewInputsAndMatchFreshSlots()
    {
        using var fresh = Load(new EngineOptions { MaxIdleGenerationSlots = 0 });
        using var pooled = Load(new EngineOptions());
        var c = TinyCase.Load();
        var p1 = (c.Pixels, Ids: c.InputIds);
        var p3 = GenerationPrompts.Make(pooled, 27, 21);
        var p4 = GenerationPrompts.Make(pooled, 19, 22);

        // 1. The class's first generation: both graphs issued once, then captured.
        GenerationResult first;
        using (var g = pooled.StartGeneration(p1.Pixels, p1.Ids, Options))
        {
            first = Finish(g);
            Assert.That(g.Slot.Prefill.CapturedNodeCount, Is.GreaterThan(20), "the prefill is captured after its first run");
            Assert.That(g.Slot.Decode.CapturedNodeCount, Is.GreaterThan(20), "the decode step is captured after its first run");
        }
        AssertSame(fresh.Generate(p1.Pixels, p1.Ids, Options), first, "first generation");

        // 2. A class with a 4× larger KV cache: its decode needs 4× the split-KV workspace, which grows; the graphs
        //    captured in step 1 still hold the old workspace's address.
        using (var big = pooled.StartGeneration(p4.Pixels, p4.Ids, Options with { MaxNewTokens = 1000 }))
        {
            Assert.That(big.Slot.Key.CacheCapacity, Is.EqualTo(1024));
            for (var i = 0; i < 3; i++) big.Next();
        }

        // 3. Another prompt and image in the first class: the idle slot's captured prefill and decode are replayed.
        using (var g = pooled.StartGeneration(p3.Pixels, p3.Ids, Options))
        {
            var replayed = Finish(g);
            AssertSame(fresh.Generate(p3.Pixels, p3.Ids, Options), replayed, "replayed generation");
            Assert.That(replayed.StepLogits![0], Is.Not.EqualTo(first.StepLogits![0]), "the replay used this generation's pixels and ids");
        }

        // 4. Two generators at once, steps interleaved: one gets the idle slot, the other a new one.
        using (var a = pooled.StartGeneration(p4.Pixels, p4.Ids, Options))
        using (var b = pooled.StartGeneration(p1.Pixels, p1.Ids, Options))
        {
            while (a.FinishReason is null || b.FinishReason is null)
            {
                a.Next();
                b.Next();
            }
            AssertSame(fresh.Generate(p4.Pixels, p4.Ids, Options), a.ToResult(), "interleaved a");
            AssertSame(first, b.ToResult(), "interleaved b");
        }
        var counters = pooled.GenerationSlots;
        TestContext.Out.WriteLine(counters.ToString());
        Assert.That((counters.SlotsBuilt, counters.SlotsReused, counters.IdleSlots), Is.EqualTo((3L, 2L, 2)));
    }

    /// <summary>
    /// The bound is the bf16 rule the device is held to against the reference; on the emulator the two runs agree bit
    /// for bit (its GEMM and attention compute each row in an order that does not depend on the row count), on a GPU
    /// cuBLAS may pick another algorithm for 32 rows than for 22.
    /// </summary>
    [Test]
    public void APaddedPrefillGivesTheExactLengthTokensAndLastLogits()
    {
        using var exact = Load(new EngineOptions { PrefillBucketTokens = 1, MaxIdleGenerationSlots = 0 });
        using var padded = Load(new EngineOptions { MaxIdleGenerationSlots = 0 });
        var c = TinyCase.Load();
        var options = new GenerationOptions { MaxNewTokens = c.Expected.Length, RecordStepLogits = true };
        var e = exact.Generate(c.Pixels, c.InputIds, options);
        var p = padded.Generate(c.Pixels, c.InputIds, options);
        Assert.That(e.TokenIds, Is.EqualTo(c.Expected), "exact: Hugging Face's answer");
        Assert.That(p.TokenIds, Is.EqualTo(e.TokenIds), "padded 22 → 32: the same tokens");
        for (var s = 0; s < e.StepLogits!.Count; s++)
        {
            var err = ErrorMeasure.Of(e.StepLogits[s], p.StepLogits![s]);
            TestContext.Out.WriteLine($"step {s}: padded vs exact logits rel L2 {err.RelativeL2:E2}, max |Δ| {err.MaxAbs:E2}");
            Assert.That(err.NonFiniteMismatches, Is.Zero);
            Assert.That(err.RelativeL2, Is.LessThanOrEqualTo(FixtureComparison.Bf16.RelativeL2), $"step {s}");
        }
    }
}
