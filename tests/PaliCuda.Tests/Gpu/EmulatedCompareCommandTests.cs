using NUnit.Framework;
using PaliCuda.Cli;
using PaliCuda.Generation;
using PaliCuda.Tests.Cli;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>`palicuda compare --device emulated`: the tolerance rule follows the device (bf16 on GPU backends).</summary>
public class EmulatedCompareCommandTests
{
    [Test]
    public void TheRuleIsChosenByDevice()
    {
        Assert.That(FixtureComparison.ToleranceFor(DeviceKind.Cpu), Is.EqualTo(ToleranceRule.Float32));
        Assert.That(FixtureComparison.ToleranceFor(DeviceKind.Emulated), Is.EqualTo(FixtureComparison.Bf16));
        Assert.That(FixtureComparison.ToleranceFor(DeviceKind.Cuda), Is.EqualTo(FixtureComparison.Bf16));
        // The bf16 rule must still reject an error the size of a bf16-rounded tensor's error times 10.
        var reference = Enumerable.Range(1, 64).Select(i => (float)Math.Sin(i)).ToArray();
        var off = reference.Select((v, i) => v * (1 + (i % 2 == 0 ? 10f : -10f) / 256)).ToArray();
        Assert.That(FixtureComparison.CompareFloat("t", reference, off, 1e-6, FixtureComparison.Bf16).Passed, Is.False);
    }

    [Test]
    public async Task CompareOnTheEmulatedDevicePassesWithTheBf16Rule()
    {
        var (code, output, error) = await CliHarness.Run("compare", "--model", TestPaths.TinyPg2, "--device", "emulated");
        TestContext.Out.WriteLine(output);
        TestContext.Out.WriteLine(error);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.That(last, Does.Match(@"^compare: (\d+)/\1 tensors within tolerance; greedy (\d+)/\2 tokens match; worst rel err \d\.\d\de[+-]\d\d$"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
    }
}
