using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>The tiny-pg2 fixture end to end on the GPU backend run by the PTX emulator (bf16 weights and activations).</summary>
public class EmulatedFixtureComparisonTests
{
    private static ComparisonReport? _report;
    private static ComparisonReport Report => _report ??= FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Emulated, ToleranceRule.Float32);

    /// <summary>
    /// bf16 end to end: every weight and activation is rounded to bf16 (u = 2^-8) on the way; independent roundings add
    /// like a random walk, so after the ≈ 40 rounded tensors on tiny-pg2's deepest path (2 vision + 3 text layers,
    /// ≈ 8 rounded weights/activations each) the expected relative error is about √40·u ≈ 6.3u; the bound is 8u.
    /// </summary>
    private const double Bf16EndToEndRelativeL2 = 8 * Bf16Tolerance.UnitRoundoff;

    [Test]
    public void EveryFloatTensorIsWithinTheBf16EndToEndBound()
    {
        TestContext.Out.WriteLine(ComparisonFormatter.Format(Report));
        var compared = Report.Cases.SelectMany(c => c.Tensors).Where(t => t.Note != "exact" && !double.IsNaN(t.RelativeError)).ToList();
        Assert.That(compared, Has.Count.GreaterThanOrEqualTo(15));
        var failed = compared.Where(t => !(t.RelativeError <= Bf16EndToEndRelativeL2)).Select(t => $"{t.Name}: rel {t.RelativeError:E3}");
        Assert.That(failed, Is.Empty);
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
