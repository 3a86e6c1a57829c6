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

    [Test]
    public void EveryFloatTensorIsWithinTheBf16EndToEndBound()
    {
        TestContext.Out.WriteLine(ComparisonFormatter.Format(Report));
        // The bf16 probabilities add one rounding per attention (5 layers): √45·u ≈ 6.7u, still inside the 8u bound.
        Bf16EndToEnd.AssertFloatTensorsWithinBound(Report);
    }

    [Test]
    public void GreedyTokensMatchTheReference()
    {
        var c = Report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
