using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Hostile;

/// <summary>After a rejected, failed or cancelled call the engine gives exactly the answer it gives when fresh.</summary>
public class EngineRecoveryTests
{
    private PaliGemmaEngine _engine = null!;
    private TinyCase _case = null!;

    [OneTimeSetUp]
    public void Load()
    {
        _engine = PaliGemmaEngine.Load(TestPaths.TinyPg2);
        _case = TinyCase.Load();
    }

    [OneTimeTearDown] public void Dispose() => _engine.Dispose();

    private GenerationOptions Greedy => new() { MaxNewTokens = _case.Expected.Length };

    private void AssertAnswersLikeHuggingFace() =>
        Assert.That(_engine.Generate(_case.Pixels, _case.InputIds, Greedy).TokenIds, Is.EqualTo(_case.Expected));

    [Test]
    public void EveryKindOfBadCallIsTypedAndTheNextGoodCallIsExact()
    {
        var p = _case.Pixels;
        var ids = _case.InputIds;
        var bad = new (string What, Action Call, string Message)[]
        {
            ("short pixels", () => _engine.Generate(p[..^1], ids, Greedy), "pixel values hold"),
            ("no ids", () => _engine.Generate(p, [], Greedy), "no input ids"),
            ("id past the vocabulary", () => _engine.Generate(p, [.. ids[..^1], int.MaxValue], Greedy), "outside the vocabulary"),
            ("negative id", () => _engine.Generate(p, [.. ids[..^1], -1], Greedy), "at position"),
            ("missing image token", () => _engine.Generate(p, ids[1..], Greedy), "image tokens"),
            ("prompt + new tokens past the positions", () => _engine.Generate(p, ids, new GenerationOptions { MaxNewTokens = int.MaxValue - 10 }), "exceeds the limit"),
        };
        foreach (var (what, call, message) in bad)
        {
            var e = Assert.Throws<ModelInputException>(() => call(), what)!;
            Assert.That(e.Message, Does.Contain(message), what);
            Assert.That(e, Is.InstanceOf<PaliCudaInputException>());
            AssertAnswersLikeHuggingFace();
        }
    }

    [Test]
    public void CancellingAfterAStepStopsBeforeTheNextAndTheEngineStaysExact()
    {
        const int cancelAtStep = 2;
        var seen = new List<int>();
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => _engine.Generate(_case.Pixels, _case.InputIds, Greedy, t =>
        {
            seen.Add(t.Id);
            if (t.Step == cancelAtStep) cts.Cancel();
        }, cts.Token));
        // Within one step: the step that saw the cancellation was the last one.
        Assert.That(seen, Is.EqualTo(_case.Expected.Take(cancelAtStep + 1)));
        AssertAnswersLikeHuggingFace();
    }

    [Test]
    public void AnAlreadyCancelledTokenRunsNothingAndTheGenerationCanGoOn()
    {
        using var generator = _engine.StartGeneration(_case.Pixels, _case.InputIds, Greedy);
        Assert.That(generator.Next()!.Id, Is.EqualTo(_case.Expected[0]));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => generator.Next(cts.Token));
        Assert.That(generator.Tokens, Is.EqualTo(_case.Expected.Take(1)));
        while (generator.Next() is not null) { }
        Assert.That(generator.Tokens, Is.EqualTo(_case.Expected));
    }

    [Test]
    public void CancellingFromAnotherThreadStopsWithinAStepAndClosesTheGeneration()
    {
        // A long run (no stop ids, most of the positions): cancelled while it is working, not between calls.
        var longRun = new GenerationOptions { MaxNewTokens = _engine.Config.Text.MaxPositionEmbeddings - _case.InputIds.Length, StopTokenIds = [] };
        using var generator = _engine.StartGeneration(_case.Pixels, _case.InputIds, longRun);
        generator.Next();
        var stepTimer = System.Diagnostics.Stopwatch.StartNew();
        generator.Next();
        var oneStep = stepTimer.Elapsed;

        using var cts = new CancellationTokenSource();
        var cancelledAt = new System.Diagnostics.Stopwatch();
        var canceller = new Thread(() => { Thread.Sleep(20); cancelledAt.Start(); cts.Cancel(); });
        canceller.Start();
        Assert.Throws<OperationCanceledException>(() => { while (generator.Next(cts.Token) is not null) { } });
        var latency = cancelledAt.Elapsed;
        canceller.Join();
        TestContext.Out.WriteLine($"one decode step {oneStep.TotalMilliseconds:F2} ms; cancellation took effect after {latency.TotalMilliseconds:F2} ms");
        Assert.That(generator.Tokens.Count, Is.LessThan(longRun.MaxNewTokens), "stopped before the end");
        // Bound: one step plus scheduling noise on a loaded 2-core machine.
        Assert.That(latency, Is.LessThan(oneStep * 2 + TimeSpan.FromMilliseconds(250)));
        // Cancelled mid-step (the KV cache may be half written) or between steps: either way the tokens so far are
        // HF's, and a mid-step cancellation closes the generation instead of continuing from a torn cache.
        var n = Math.Min(generator.Tokens.Count, _case.Expected.Length);
        Assert.That(generator.Tokens.Take(n), Is.EqualTo(_case.Expected.Take(n)));
        AssertAnswersLikeHuggingFace();
    }

    [Test]
    public void ADisposedEngineRefusesWorkWithObjectDisposed()
    {
        var engine = PaliGemmaEngine.Load(TestPaths.TinyPg2);
        engine.Dispose();
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Generate(_case.Pixels, _case.InputIds, Greedy));
    }
}
