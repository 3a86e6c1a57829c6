using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Cli;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Cli;

public class LoadProgressDisplayTests
{
    [Test]
    public void BigLoadsPrintOneLinePerTenthAndSmallLoadsNothing()
    {
        var big = LoadProgressDisplay.QuietBelowBytes * 4;
        var writer = new StringWriter();
        var printer = new LoadProgressDisplay.TenthsPrinter(writer);
        for (var i = 1; i <= 100; i++) printer.Report(new CheckpointLoadProgress($"t{i}", i, 100, big * i / 100, big));
        var lines = writer.ToString().TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(10));
        Assert.That(lines[0], Does.StartWith("loading weights: 10% ("));
        Assert.That(lines[^1], Does.StartWith("loading weights: 100% (").And.Contain("100/100 tensors"));

        var quiet = new StringWriter();
        var small = new LoadProgressDisplay.TenthsPrinter(quiet);
        small.Report(new CheckpointLoadProgress("t", 1, 1, 1000, 1000));
        Assert.That(quiet.ToString(), Is.Empty);
    }

    [Test]
    public void TheEngineReportsEveryWeightItPlaces()
    {
        var reports = new List<CheckpointLoadProgress>();
        var fixture = TestPaths.TinyPg2;
        using var engine = PaliGemmaEngine.Load(fixture, new EngineOptions { LoadProgress = new Sink(reports.Add) });
        Assert.That(reports, Is.Not.Empty);
        Assert.That(reports.Select(r => r.TensorsDone), Is.EqualTo(Enumerable.Range(1, reports.Count)));
        Assert.That(reports[^1].BytesDone, Is.EqualTo(reports[^1].TotalBytes));
        // tiny-pg2 stores 74 tensors, all of which the model uses (the LM head is tied, not stored).
        Assert.That(reports[^1].TensorCount, Is.EqualTo(74));
    }

    private sealed class Sink(Action<CheckpointLoadProgress> report) : IProgress<CheckpointLoadProgress>
    {
        public void Report(CheckpointLoadProgress value) => report(value);
    }
}
