using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// The tiny-pg2 fixture end to end on the emulated GPU backend with attention.prefill forced to flash_mma (an explicit
/// choice, so an unsupported shape would throw instead of quietly running the reference kernel). Every attention of
/// the vision tower and of the text prompt (head size 16) runs on tensor cores; decode steps keep split_kv.
/// </summary>
public class EmulatedFlashFixtureTests
{
    private static ComparisonReport? _report;

    private static ComparisonReport Report => _report ??= FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Emulated, ToleranceRule.Float32,
        gpuOptions: new GpuBackendOptions { Variants = new Dictionary<string, string> { [KernelVariants.AttentionPrefill] = "flash_mma" } });

    /// <summary>
    /// The bf16 end-to-end bound of <see cref="EmulatedFixtureComparisonTests"/> (≈ 40 rounded tensors → √40·u ≈ 6.3u,
    /// bound 8u); the bf16 probabilities add one rounding per attention (5 layers), still inside √45·u ≈ 6.7u.
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
    }

    [Test]
    public void GreedyTokensMatchTheReference()
    {
        var c = Report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
