using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Tests.Verification;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>The tiny-pg2 fixture end to end on the GPU backend run by the PTX emulator (bf16 weights and activations).</summary>
public class EmulatedFixtureComparisonTests
{
    private static ComparisonReport? _report;
    private static ComparisonReport Report => _report ??= FixtureComparison.Run(TinyFixture.Directory, DeviceKind.Emulated, ToleranceRule.Float32);

    [Test]
    public void GreedyTokensMatchTheReference()
    {
        TestContext.Out.WriteLine(ComparisonFormatter.Format(Report));
        var c = Report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
