using NUnit.Framework;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Hostile;

/// <summary>
/// The engine's concurrency contract (see <see cref="PaliGemmaEngine"/>'s remarks): callers on many threads are
/// serialised step by step, each gets exactly the answer it gets alone, and bad calls among them harm no one.
/// </summary>
public class ConcurrentCallerTests
{
    private const int Callers = 8;
    private const int CallsPerCaller = 4;

    [Test]
    public void ParallelCallersOfOneEngineEachGetTheirOwnExactAnswer()
    {
        using var engine = PaliGemmaEngine.Load(TestPaths.TinyPg2);
        var c = TinyCase.Load();
        // Caller i samples with seed i (caller 0 is greedy), so answers differ between callers and a mix-up shows.
        GenerationOptions OptionsFor(int caller) => new()
        {
            MaxNewTokens = c.Expected.Length,
            StopTokenIds = [],
            Sampling = caller == 0 ? SamplingOptions.Greedy : new SamplingOptions { Temperature = 2f, Seed = (ulong)caller },
        };
        var alone = Enumerable.Range(0, Callers).Select(i => engine.Generate(c.Pixels, c.InputIds, OptionsFor(i)).TokenIds.ToArray()).ToArray();
        Assert.That(alone[0], Is.EqualTo(c.Expected));
        Assert.That(alone.Skip(1).Select(a => string.Join(",", a)).Distinct().Count(), Is.GreaterThan(1), "seeds give different answers");

        var together = new int[Callers][][];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(Callers);
        var threads = Enumerable.Range(0, Callers).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                together[i] = new int[CallsPerCaller][];
                for (var k = 0; k < CallsPerCaller; k++)
                {
                    // Odd callers also send a bad call between good ones: it must fail alone.
                    if (i % 2 == 1)
                        Assert.Throws<PaliCuda.Graph.ModelInputException>(() => engine.Generate(c.Pixels[..^1], c.InputIds, OptionsFor(i)));
                    together[i][k] = engine.Generate(c.Pixels, c.InputIds, OptionsFor(i)).TokenIds.ToArray();
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.That(failures, Is.Empty);
        for (var i = 0; i < Callers; i++)
            for (var k = 0; k < CallsPerCaller; k++)
                Assert.That(together[i][k], Is.EqualTo(alone[i]), $"caller {i}, call {k}");
    }

    [Test]
    public void InterleavedGeneratorsOnOneThreadKeepSeparateCaches()
    {
        using var engine = PaliGemmaEngine.Load(TestPaths.TinyPg2);
        var c = TinyCase.Load();
        var options = new GenerationOptions { MaxNewTokens = c.Expected.Length };
        using var a = engine.StartGeneration(c.Pixels, c.InputIds, options);
        using var b = engine.StartGeneration(c.Pixels, c.InputIds, options);
        while (a.Next() is not null && b.Next() is not null) { }
        while (a.Next() is not null) { }
        while (b.Next() is not null) { }
        Assert.That(a.Tokens, Is.EqualTo(c.Expected));
        Assert.That(b.Tokens, Is.EqualTo(c.Expected));
    }

    [Test]
    public void AWaitingCallerCanCancelItsWait()
    {
        using var engine = PaliGemmaEngine.Load(TestPaths.TinyPg2);
        var c = TinyCase.Load();
        var longRun = new GenerationOptions { MaxNewTokens = engine.Config.Text.MaxPositionEmbeddings - c.InputIds.Length, StopTokenIds = [] };
        using var holder = new CancellationTokenSource();
        var busy = Task.Run(() => engine.Generate(c.Pixels, c.InputIds, longRun, cancellationToken: holder.Token));
        using var waiter = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        // Whether it is refused while queued or stopped inside its own step, the waiter ends promptly with cancellation.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Catch<OperationCanceledException>(() =>
        {
            for (var k = 0; k < 1000; k++) engine.Generate(c.Pixels, c.InputIds, longRun, cancellationToken: waiter.Token);
        });
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        holder.Cancel();
        // The holder either finished or was cancelled; either way it let go of the engine.
        try { busy.Wait(); }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException) { }
        Assert.That(engine.Generate(c.Pixels, c.InputIds, new GenerationOptions { MaxNewTokens = c.Expected.Length }).TokenIds, Is.EqualTo(c.Expected));
    }
}
