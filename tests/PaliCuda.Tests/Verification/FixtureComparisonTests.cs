using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Verification;

public class FixtureComparisonTests
{
    private static ComparisonReport? _report;
    private static ComparisonReport Report => _report ??= FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Cpu);

    [Test]
    public void EveryTensorOfTheTinyFixtureIsWithinTolerance()
    {
        TestContext.Out.WriteLine(ComparisonFormatter.Format(Report));
        var failed = Report.Cases.SelectMany(c => c.Tensors).Where(t => !t.Passed).Select(t => $"{t.Name}: {t.MaxAbsError} > {t.Bound} {t.Note}");
        Assert.That(failed, Is.Empty);
        Assert.That(Report.TensorCount, Is.GreaterThanOrEqualTo(20));
    }

    [Test]
    public void GreedyTokensMatchTheReferenceExactly()
    {
        var c = Report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
        Assert.That(c.ExpectedTokens, Has.Count.EqualTo(12));
    }

    [Test]
    public void SummaryLineHasTheDocumentedShape()
    {
        var text = ComparisonFormatter.Format(Report);
        var last = text.Split('\n')[^1];
        Assert.That(last, Does.Match(@"^compare: \d+/\d+ tensors within tolerance; greedy \d+/\d+ tokens match; worst rel err \d\.\d\de[+-]\d\d$"));
        Assert.That(last, Does.StartWith($"compare: {Report.TensorCount}/{Report.TensorCount} tensors within tolerance; greedy 12/12 tokens match;"));
    }
}
