using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Generation;

/// <summary>
/// Temperature, top-k and top-p are inputs of the sampling graph, not part of its recording: generations of one prompt
/// class with different settings share one pooled slot (its prefill and decode replayed from their captures), and each
/// gives exactly what a slot built for it alone gives. On the CPU backend, the emulated device and a CUDA GPU.
/// </summary>
[TestFixture(DeviceKind.Cpu)]
[TestFixture(DeviceKind.Emulated)]
[TestFixture(DeviceKind.Cuda, Category = "Gpu")]
public class SampledSlotReuseTests(DeviceKind device)
{
    private static readonly Lazy<CudaAvailability> Cuda = new(CudaDriver.Probe);
    private const int NewTokens = 6;

    /// <summary>One seed for all three, so the tokens differ only through T, top-k and top-p.</summary>
    private static readonly SamplingOptions[] Settings =
    [
        new() { Temperature = 0.6f, TopK = 40, Seed = 5 },
        new() { Temperature = 1.8f, TopP = 0.95f, Seed = 5 },
        new() { Temperature = 1f, TopK = 300, TopP = 0.7f, Seed = 5 },
    ];

    private PaliGemmaEngine Load(EngineOptions options)
    {
        if (device == DeviceKind.Cuda && !Cuda.Value.Available) Assert.Ignore($"No CUDA device: {Cuda.Value.Reason}");
        return PaliGemmaEngine.Load(TestPaths.TinyPg2, options with { Device = device });
    }

    private static GenerationOptions Options(SamplingOptions sampling) =>
        new() { MaxNewTokens = NewTokens, StopTokenIds = [], Sampling = sampling, RecordStepLogits = true };

    [Test]
    public void GenerationsWithDifferentSettingsReuseOneSlotAndMatchFreshEngines()
    {
        var c = TinyCase.Load();
        var results = new List<GenerationResult>();
        using (var pooled = Load(new EngineOptions()))
        {
            foreach (var sampling in Settings)
            {
                using var g = pooled.StartGeneration(c.Pixels, c.InputIds, Options(sampling));
                while (g.Next() is not null) { }
                results.Add(g.ToResult());
                // The GPU backend captures (the CPU backend runs op by op): a reused slot's decode is a replay.
                if (results.Count > 1 && device != DeviceKind.Cpu)
                    Assert.That(g.Slot.Decode.CapturedNodeCount, Is.Not.Null, $"{sampling}: the reused slot's decode step was replayed from its capture");
            }
            var counters = pooled.GenerationSlots;
            Assert.That((counters.SlotsBuilt, counters.SlotsReused), Is.EqualTo((1L, 2L)), counters.ToString());
        }

        for (var i = 0; i < Settings.Length; i++)
        {
            using var fresh = Load(new EngineOptions());
            var expected = fresh.Generate(c.Pixels, c.InputIds, Options(Settings[i]));
            TestContext.Out.WriteLine($"{Settings[i].Parameters}: [{string.Join(", ", expected.TokenIds)}]");
            Assert.That(results[i].TokenIds, Is.EqualTo(expected.TokenIds), $"{Settings[i].Parameters}: tokens");
            for (var s = 0; s < NewTokens; s++)
                Assert.That(results[i].StepLogits![s], Is.EqualTo(expected.StepLogits![s]), $"{Settings[i].Parameters}: step {s} logits, bit for bit");
        }
        // With one seed, equal tokens for two settings would let a slot that kept its first setting pass unnoticed.
        Assert.That(results.Select(r => string.Join(",", r.TokenIds)).Distinct().Count(), Is.EqualTo(Settings.Length),
            "each setting draws other tokens");
    }

    [Test]
    public void SettingsTheSamplerRefusesAreRefusedBeforeASlotIsLeased()
    {
        var c = TinyCase.Load();
        using var engine = Load(new EngineOptions());
        var infinite = Options(new SamplingOptions { Temperature = float.PositiveInfinity, Seed = 5 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => engine.StartGeneration(c.Pixels, c.InputIds, infinite));
        Assert.That(e!.Message, Does.Contain("temperature"));
        Assert.That(engine.GenerationSlots.SlotsBuilt, Is.Zero, "refused before any slot was built");
    }
}
