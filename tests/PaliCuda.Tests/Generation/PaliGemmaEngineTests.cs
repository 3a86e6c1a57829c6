using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Generation;

public class PaliGemmaEngineTests
{
    private static PaliGemmaEngine? _engine;
    private static PaliGemmaEngine Engine => _engine ??= PaliGemmaEngine.Load(TestPaths.TinyPg2);

    [OneTimeTearDown]
    public void TearDown() => _engine?.Dispose();

    [Test]
    public void TopKOneSamplingReproducesTheGreedyReference()
    {
        var (pixels, ids, expected) = TinyCase.Load();
        var r = Engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = expected.Length, Sampling = new SamplingOptions { TopK = 1, Seed = 3 } });
        Assert.That(r.TokenIds, Is.EqualTo(expected));
        Assert.That(r.FinishReason, Is.EqualTo(FinishReason.MaxTokens));
    }

    [Test]
    public async Task StreamingYieldsTheSameTokensInOrder()
    {
        var (pixels, ids, expected) = TinyCase.Load();
        var streamed = new List<GeneratedToken>();
        await foreach (var t in Engine.GenerateStreamingAsync(pixels, ids, new GenerationOptions { MaxNewTokens = expected.Length }))
            streamed.Add(t);
        Assert.That(streamed.Select(t => t.Id), Is.EqualTo(expected));
        Assert.That(streamed.Select(t => t.Step), Is.EqualTo(Enumerable.Range(0, expected.Length)));
    }

    [Test]
    public void AStopTokenEndsGenerationAndIsEmittedLast()
    {
        var (pixels, ids, expected) = TinyCase.Load();
        var seen = new List<int>();
        var r = Engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = 12, StopTokenIds = [expected[3]] }, t => seen.Add(t.Id));
        Assert.That(r.TokenIds, Is.EqualTo(expected.Take(4)));
        Assert.That(seen, Is.EqualTo(expected.Take(4)));
        Assert.That(r.FinishReason, Is.EqualTo(FinishReason.StopToken));
    }

    [Test]
    public void CancellationStopsBetweenSteps()
    {
        var (pixels, ids, _) = TinyCase.Load();
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() =>
            Engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = 12 }, t => { if (t.Step == 2) cts.Cancel(); }, cts.Token));
    }

    [Test]
    public void SeededSamplingIsDeterministicAndNeverEmitsImageOrPaddingIds()
    {
        var (pixels, ids, _) = TinyCase.Load();
        var o = new GenerationOptions { MaxNewTokens = 10, StopTokenIds = [], Sampling = new SamplingOptions { Temperature = 3f, Seed = 11 } };
        var a = Engine.Generate(pixels, ids, o).TokenIds;
        Assert.That(Engine.Generate(pixels, ids, o).TokenIds, Is.EqualTo(a));
        Assert.That(a, Is.All.LessThan(Engine.Config.ImageTokenIndex));
    }

    [Test]
    public void BadInputsRaiseTypedErrors()
    {
        var (pixels, ids, _) = TinyCase.Load();
        Assert.Throws<ModelInputException>(() => Engine.RunPrefill(pixels[..^1], ids));
        Assert.Throws<ModelInputException>(() => Engine.RunPrefill(pixels, ids[1..]));
        Assert.Throws<ModelInputException>(() => Engine.RunPrefill(pixels, [.. ids[..^1], 320]));
        Assert.Throws<ModelInputException>(() => Engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = 100_000 }));
        Assert.Throws<KeyNotFoundException>(() => Engine.RunPrefill(pixels, ids, ["no_such_tap"]));
    }

    [Test]
    public void PrefillLastRowAgreesWithTheFullLogitsTapAndReportsTime()
    {
        var (pixels, ids, expected) = TinyCase.Load();
        PrefillResult r = Engine.RunPrefill(pixels, ids, ["logits"]);
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            Engine.RunPrefill(pixels, ids, ["logits"]);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        TestContext.Out.WriteLine($"tiny fixture full prefill (warm, best of 5): {times.Min():0.00} ms; peak activations {r.PeakActivationBytes} bytes");
        var v = Engine.Config.Text.VocabSize;
        Assert.That(r.LastLogits, Is.EqualTo(r.Taps["logits"][^v..]));
        Assert.That(r.NextToken, Is.EqualTo(expected[0]));
    }
}
