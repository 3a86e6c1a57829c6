using NUnit.Framework;
using PaliCuda.Benchmarks.DeviceReport;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Benchmarking;

public class TokenChoiceTimerTests
{
    [Test]
    public void TheDeviceReportTimesTheArgmaxAndEverySamplingSettingOnTheEmulator()
    {
        var timings = TokenChoiceTimer.Measure(DeviceKind.Emulated, vocabulary: 300, limit: 290, repetitions: 1);
        Assert.That(timings.Select(t => t.Setting), Is.EqualTo(new[] { "argmax" }.Concat(TokenChoiceTimer.Settings.Select(s => s.ToString()))));
        Assert.That(timings.Select(t => t.DeviceMicroseconds), Has.All.GreaterThan(0));
        var markdown = DeviceReportRunner.TokenChoiceMarkdown(timings);
        Assert.That(markdown, Does.Contain("one row of 300 logits").And.Contain("| argmax |").And.Contain("| 1.00 |"));
    }

    [Test]
    public void TheCpuReferenceHasNoKernelsToTime() =>
        Assert.That(TokenChoiceTimer.Measure(DeviceKind.Cpu, vocabulary: 300, limit: 290, repetitions: 1), Is.Empty);
}
