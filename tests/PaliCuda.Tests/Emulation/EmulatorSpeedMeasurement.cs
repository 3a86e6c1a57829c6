using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Emulation;

/// <summary>Measurements for docs/EMULATOR.md (run explicitly: they take tens of seconds and only print).</summary>
[Category("Measurement")]
public class EmulatorSpeedMeasurement
{
    [TestCase(true)]
    [TestCase(false)]
    public void WarpInstructionsPerSecond(bool parallel)
    {
        const int m = 128, n = 128, k = 256;
        using var device = new EmulatedDevice(new EmulatorOptions { ParallelBlocks = parallel });
        var f = EmulatorKernels.Load(device, "tensor_core", "gemm_tc");
        var rng = new Random(1);
        var a = device.Upload<ushort>(Enumerable.Range(0, m * k).Select(_ => MmaFragmentLayout.BFloat16(rng.Next(-8, 8))).ToArray());
        var b = device.Upload<ushort>(Enumerable.Range(0, n * k).Select(_ => MmaFragmentLayout.BFloat16(rng.Next(-8, 8))).ToArray());
        var c = device.Allocate(m * n * 4);
        var args = new KernelArguments().Add(a).Add(b).Add(c).Add(m).Add(n).Add(k).Add(0);
        var config = new LaunchConfig(new Dim3(n / 8, m / 16, 1), new Dim3(32, 1, 1));
        device.Launch(f, config, args); // warm-up (JIT)
        var sw = Stopwatch.StartNew();
        long before = device.TotalWarpInstructions;
        for (int i = 0; i < 5; i++) device.Launch(f, config, args);
        sw.Stop();
        double rate = (device.TotalWarpInstructions - before) / sw.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine($"gemm_tc {m}x{n}x{k}, parallel={parallel}: {device.TotalWarpInstructions - before} warp-instructions in {sw.Elapsed.TotalSeconds:F2} s = {rate / 1e6:F2} M warp-instr/s");
        Assert.That(rate, Is.GreaterThan(0));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void TinyModelForwardTime(bool parallel)
    {
        var sw = Stopwatch.StartNew();
        ComparisonReport report;
        using (EmulatorOptions.Use(new EmulatorOptions { ParallelBlocks = parallel }))
            report = FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Emulated, ToleranceRule.Float32);
        sw.Stop();
        var c = report.Cases.Single();
        TestContext.Out.WriteLine($"tiny-pg2 on the emulated GPU backend (checked), parallel={parallel}: prefill + {c.ExpectedTokens.Count} greedy steps in {sw.Elapsed.TotalSeconds:F2} s");
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
