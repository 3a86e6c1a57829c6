using NUnit.Framework;
using PaliCuda.Backends.Cpu;
using PaliCuda.Checkpoint;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Generation;

/// <summary>
/// Prefill shape classes and pooled generation slots on the CPU reference backend (tiny-pg2): a padded prefill and a
/// reused slot must give exactly what an exact-length prefill in a fresh slot gives, tokens and every step's logits.
/// The CPU computes each row independently of the others, so equality here is bit for bit.
/// </summary>
public class GenerationSlotTests
{
    private const int NewTokens = 12;
    private static readonly GenerationOptions Options = new() { MaxNewTokens = NewTokens, StopTokenIds = [], RecordStepLogits = true };

    private PaliGemmaEngine _fresh = null!;

    [OneTimeSetUp]
    public void LoadReference() => _fresh = PaliGemmaEngine.Load(TestPaths.TinyPg2, new EngineOptions { PrefillBucketTokens = 1, MaxIdleGenerationSlots = 0 });

    [OneTimeTearDown]
    public void DisposeReference() => _fresh.Dispose();

    private static PaliGemmaEngine Pooled(int maxIdle = 2) => PaliGemmaEngine.Load(TestPaths.TinyPg2, new EngineOptions { MaxIdleGenerationSlots = maxIdle });

    /// <summary>The reference: exact-length prefill, a slot of its own, nothing kept.</summary>
    private GenerationResult Fresh((float[] Pixels, int[] Ids) p) => _fresh.Generate(p.Pixels, p.Ids, Options);

    private static void AssertSame(GenerationResult expected, GenerationResult actual, string what)
    {
        Assert.That(actual.TokenIds, Is.EqualTo(expected.TokenIds), $"{what}: tokens");
        for (var s = 0; s < expected.StepLogits!.Count; s++)
            Assert.That(actual.StepLogits![s], Is.EqualTo(expected.StepLogits[s]), $"{what}: step {s} logits, bit for bit");
    }

    [Test]
    public void APaddedPrefillGivesTheExactLengthTokensAndLogits()
    {
        using var engine = Pooled(maxIdle: 0);
        var c = TinyCase.Load();
        foreach (var (p, what) in new[] { ((c.Pixels, c.InputIds), "fixture prompt"), (GenerationPrompts.Make(engine, 19, 1), "19 ids"),
                     (GenerationPrompts.Make(engine, 32, 2), "32 ids (no padding)"), (GenerationPrompts.Make(engine, 33, 3), "33 ids") })
        {
            using var g = engine.StartGeneration(p.Item1, p.Item2, Options);
            var padded = g.Slot.Key.PromptCapacity;
            Assert.That(padded % engine.Options.PrefillBucketTokens, Is.Zero, $"{what}: a class of the bucket");
            while (g.Next() is not null) { }
            AssertSame(Fresh(p), g.ToResult(), $"{what}, padded to {padded}");
        }
        var answer = engine.Generate(c.Pixels, c.InputIds, new GenerationOptions { MaxNewTokens = c.Expected.Length });
        Assert.That(answer.TokenIds, Is.EqualTo(c.Expected), "still Hugging Face's greedy answer");
    }

    [Test]
    public void BackToBackGenerationsOfOneClassReuseOneSlotAndMatchFreshOnes()
    {
        using var engine = Pooled();
        var c = TinyCase.Load();
        (float[], int[])[] prompts = [(c.Pixels, c.InputIds), GenerationPrompts.Make(engine, 27, 4), GenerationPrompts.Make(engine, 19, 5), (c.Pixels, c.InputIds)];
        foreach (var (p, i) in prompts.Select((p, i) => (p, i)))
            AssertSame(Fresh(p), engine.Generate(p.Item1, p.Item2, Options), $"generation {i} ({p.Item2.Length} ids)");
        var counters = engine.GenerationSlots;
        Assert.That((counters.SlotsBuilt, counters.SlotsReused, counters.IdleSlots), Is.EqualTo((1L, 3L, 1)), counters.ToString());
        Assert.That(counters.IdleBytes, Is.GreaterThan(0));
    }

    [Test]
    public void InterleavedGeneratorsGetSlotsOfTheirOwnAndMatchFreshOnes()
    {
        using var engine = Pooled();
        var c = TinyCase.Load();
        var first = GenerationPrompts.Make(engine, 24, 6);
        AssertSame(Fresh(first), engine.Generate(first.Pixels, first.Ids, Options), "the generation that leaves a slot idle");
        var pa = GenerationPrompts.Make(engine, 30, 7);
        var pb = (c.Pixels, c.InputIds);
        using (var a = engine.StartGeneration(pa.Pixels, pa.Ids, Options))
        using (var b = engine.StartGeneration(pb.Pixels, pb.InputIds, Options))
        {
            Assert.That(a.Slot, Is.Not.SameAs(b.Slot));
            Assert.That(engine.GenerationSlots.IdleSlots, Is.Zero, "both slots leased");
            while (a.FinishReason is null || b.FinishReason is null)
            {
                a.Next();
                b.Next();
            }
            AssertSame(Fresh(pa), a.ToResult(), "a (reused slot)");
            AssertSame(Fresh(pb), b.ToResult(), "b (new slot)");
        }
        var counters = engine.GenerationSlots;
        Assert.That((counters.SlotsBuilt, counters.SlotsReused, counters.IdleSlots), Is.EqualTo((2L, 1L, 2)), counters.ToString());
    }

    [Test]
    public void AGenerationStoppedBetweenStepsReturnsItsSlotAndOneAStepFailedInDoesNot()
    {
        using var engine = Pooled(maxIdle: 1);
        var p = GenerationPrompts.Make(engine, 26, 8);
        using (var stopped = engine.StartGeneration(p.Pixels, p.Ids, Options))
        {
            stopped.Next();
            stopped.Next();
        }
        Assert.That(engine.GenerationSlots.IdleSlots, Is.EqualTo(1), "stopped early by the caller: kept");

        // Cancelled between steps (the token is seen before the next step starts): nothing was half written, kept too.
        using (var cts = new CancellationTokenSource())
            Assert.Throws<OperationCanceledException>(() => engine.Generate(p.Pixels, p.Ids, Options, t => { if (t.Step == 3) cts.Cancel(); }, cts.Token));
        Assert.That(engine.GenerationSlots, Is.EqualTo(engine.GenerationSlots with { IdleSlots = 1, SlotsBuilt = 1, SlotsReused = 1 }));

        // Cancelled from another thread while a step runs: the step throws and the slot, its cache half written, is freed.
        // Steps fill almost all of a long run's time, so a cancellation lands inside one within a few tries. 26 + 226
        // positions keep the run in the class of the idle slot (KV capacity 256), so each try leases that slot.
        var longRun = Options with { MaxNewTokens = 226, RecordStepLogits = false };
        var freedAfter = 0;
        for (var attempt = 1; attempt <= 20 && freedAfter == 0; attempt++)
        {
            var before = engine.GenerationSlots;
            using var g = engine.StartGeneration(p.Pixels, p.Ids, longRun);
            Assert.That(engine.GenerationSlots.IdleSlots, Is.Zero, "the idle slot was leased");
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(5));
            Assert.Throws<OperationCanceledException>(() => { while (g.Next(cts.Token) is not null) { } });
            var brokenMidStep = Assert.Catch(() => g.Next()) is InvalidOperationException;
            g.Dispose();
            var after = engine.GenerationSlots;
            if (brokenMidStep)
            {
                Assert.That(after.IdleSlots, Is.Zero, $"attempt {attempt}: the slot a step failed in is not kept ({after})");
                freedAfter = attempt;
            }
            else Assert.That(after.IdleSlots, Is.EqualTo(1), $"attempt {attempt}: cancelled between steps, kept ({after})");
            Assert.That(after.SlotsReused + after.SlotsBuilt, Is.EqualTo(before.SlotsReused + before.SlotsBuilt + 1));
        }
        TestContext.Out.WriteLine($"a cancellation landed inside a step on attempt {freedAfter}");
        Assert.That(freedAfter, Is.GreaterThan(0), "some cancellation landed inside a step");

        var again = GenerationPrompts.Make(engine, 21, 9);
        AssertSame(Fresh(again), engine.Generate(again.Pixels, again.Ids, Options), "after a generation a step failed in");
    }

    [Test]
    public void TheLeastRecentlyUsedIdleSlotIsEvicted()
    {
        using var engine = Pooled(maxIdle: 1);
        var shortPrompt = GenerationPrompts.Make(engine, 20, 10);
        var longPrompt = GenerationPrompts.Make(engine, 40, 11);
        engine.Generate(shortPrompt.Pixels, shortPrompt.Ids, Options);
        var oneIdle = engine.GenerationSlots.IdleBytes;
        engine.Generate(longPrompt.Pixels, longPrompt.Ids, Options);
        Assert.That(engine.GenerationSlots.IdleSlots, Is.EqualTo(1));
        Assert.That(engine.GenerationSlots.IdleBytes, Is.GreaterThan(oneIdle), "the longer class's slot is the one kept");
        AssertSame(Fresh(shortPrompt), engine.Generate(shortPrompt.Pixels, shortPrompt.Ids, Options), "the evicted class, rebuilt");
        var counters = engine.GenerationSlots;
        Assert.That((counters.SlotsBuilt, counters.SlotsReused), Is.EqualTo((3L, 0L)), counters.ToString());
    }

    [Test]
    public void DisposingTheEngineFreesIdleSlotsAndALaterGeneratorDisposeIsSafe()
    {
        var engine = Pooled();
        var p = GenerationPrompts.Make(engine, 22, 12);
        engine.Generate(p.Pixels, p.Ids, Options);
        var outliving = engine.StartGeneration(p.Pixels, p.Ids, Options);
        outliving.Next();
        engine.Dispose();
        Assert.That(engine.GenerationSlots.IdleSlots, Is.Zero, "idle slots freed with the engine");
        Assert.DoesNotThrow(outliving.Dispose);
        Assert.That(engine.GenerationSlots.IdleSlots, Is.Zero, "a slot returned after the engine is gone is freed, not kept");
    }

    [Test]
    public void BucketsBelowOneAndANegativeIdleLimitAreRefused()
    {
        foreach (var (options, name) in new[] { (new EngineOptions { PrefillBucketTokens = 0 }, "PrefillBucketTokens"),
                     (new EngineOptions { KvCapacityBucketTokens = -4 }, "KvCapacityBucketTokens"), (new EngineOptions { MaxIdleGenerationSlots = -1 }, "MaxIdleGenerationSlots") })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => PaliGemmaEngine.Load(TestPaths.TinyPg2, options))!;
            Assert.That(e.ParamName, Is.EqualTo(name));
        }
    }

    [Test]
    public void OutOfMemoryWhileBuildingReleasesIdleSlotsAndRetriesOnce()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var model = new PaliCuda.Model.PaliGemmaModel(checkpoint.Config);
        using var backend = new CpuBackend();
        using var weights = new WeightSet(backend);
        var keyA = GenerationSlotKey.For(22, 4, 8192, 32, 256);
        var keyB = GenerationSlotKey.For(40, 4, 8192, 32, 256);
        weights.Load(checkpoint.Weights, model.RecordPrefill(keyB.PromptCapacity, keyB.CacheCapacity, allLogits: true));
        using var pool = new GenerationSlotPool(2);
        GenerationSlot Build(GenerationSlotKey k) => GenerationSlot.Build(model, weights, k);

        pool.Return(pool.Lease(keyA, Build));
        Assert.That(pool.Counters.IdleSlots, Is.EqualTo(1));
        var calls = 0;
        var slot = pool.Lease(keyB, k => ++calls == 1 ? throw new OutOfMemoryException("simulated") : Build(k));
        Assert.That(calls, Is.EqualTo(2), "tried again");
        Assert.That(pool.Counters.IdleSlots, Is.Zero, "after releasing the idle slot");
        Assert.That(slot.Key, Is.EqualTo(keyB));

        calls = 0;
        Assert.Throws<OutOfMemoryException>(() => pool.Lease(keyA, _ => { calls++; throw new OutOfMemoryException("simulated"); }));
        Assert.That(calls, Is.EqualTo(1), "nothing idle to release: no second try");
        pool.Return(slot);
        Assert.That(pool.Counters, Is.EqualTo(new GenerationSlotCounters(1, slot.Bytes, 2, 0)));
    }
}
