using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>The tiny-pg2 fixture end to end on the GPU backend run by the PTX emulator (bf16 weights and activations).</summary>
public class EmulatedFixtureComparisonTests
{
    private static ComparisonReport? _report;
    private static ComparisonReport Report => _report ??= FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Emulated, ToleranceRule.Float32);

    [Test]
    public void EveryFloatTensorIsWithinTheBf16EndToEndBound()
    {
        TestContext.Out.WriteLine(ComparisonFormatter.Format(Report));
        Bf16EndToEnd.AssertFloatTensorsWithinBound(Report);
        var exact = Report.Cases.SelectMany(c => c.Tensors).Where(t => t.Note == "exact" || t.Note?.Contains("differ") == true);
        Assert.That(exact.Where(t => !t.Passed).Select(t => t.Name), Is.Empty, "ids, positions and masks are exact");
    }

    [Test]
    public void GreedyTokensMatchTheReference()
    {
        TestContext.Out.WriteLine(ComparisonFormatter.Format(Report));
        var c = Report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
