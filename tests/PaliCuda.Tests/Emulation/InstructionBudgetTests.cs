using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

/// <summary>
/// <see cref="EmulatorOptions.MaxWarpInstructions"/>: untrusted PTX can loop forever, and a launch under a budget must
/// come back with an <see cref="EmulatorException"/> instead of hanging; a launch within the budget is untouched.
/// </summary>
public class InstructionBudgetTests
{
    private const string Header = ".version 7.8\n.target sm_80\n.address_size 64\n";

    /// <summary>A branch to itself: never exits.</summary>
    private const string Spin = Header + ".visible .entry spin()\n{\nLOOP:\n  bra.uni LOOP;\n}\n";

    [Test]
    public void InfiniteLoopStopsAtTheBudget()
    {
        const long budget = 5000;
        using var device = new EmulatedDevice(new EmulatorOptions { MaxWarpInstructions = budget });
        var kernel = device.LoadModule("spin", Spin).GetFunction("spin");
        var e = Assert.Throws<EmulatorException>(() => device.Launch(kernel, new LaunchConfig(1, 1), new KernelArguments()))!;
        Assert.That(e.Message, Does.Contain($"more than {budget} warp-instructions").And.Contain("MaxWarpInstructions").And.Contain("spin"));
    }

    [Test]
    public void BudgetIsExactForAKernelOfTwoDivergentWarps()
    {
        // Measure a looping, divergent two-warp kernel without a limit, then show the limit is exact: the same count
        // passes, one less fails.
        long issued = RunDivergence(null);
        Assert.That(issued, Is.GreaterThan(64), "the kernel loops in both warps, so it issues more than a few instructions each");
        Assert.That(RunDivergence(issued), Is.EqualTo(issued));
        var e = Assert.Throws<EmulatorException>(() => RunDivergence(issued - 1))!;
        Assert.That(e.Message, Does.Contain($"more than {issued - 1} warp-instructions"));
    }

    private static long RunDivergence(long? budget)
    {
        const int threads = 64;
        using var device = new EmulatedDevice(new EmulatorOptions { MaxWarpInstructions = budget });
        var kernel = EmulatorKernels.Load(device, "control", "divergence");
        var output = device.Allocate(threads * 4);
        var masks = device.Allocate(threads * 16);
        device.Launch(kernel, new LaunchConfig(1, threads), new KernelArguments().Add(output).Add(masks).Add(threads));
        return device.LastLaunchWarpInstructions;
    }

    [Test]
    public void BudgetIsPerLaunch()
    {
        using var device = new EmulatedDevice(new EmulatorOptions { MaxWarpInstructions = 10 });
        var kernel = device.LoadModule("short", Header + ".visible .entry short()\n{\n  ret;\n}\n").GetFunction("short");
        for (int i = 0; i < 20; i++) device.Launch(kernel, new LaunchConfig(1, 32), new KernelArguments());
        Assert.That(device.TotalWarpInstructions, Is.GreaterThan(10));
    }

    [TestCase(0L), TestCase(-1L)]
    public void NonPositiveBudgetIsRefused(long budget) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EmulatorOptions { MaxWarpInstructions = budget });

    [Test]
    public void MalformedPtxIsAnInputError()
    {
        using var device = new EmulatedDevice();
        var e = Assert.Throws<PtxFormatException>(() => device.LoadModule("bad", Header + ".visible .entry k(\n"))!;
        Assert.That(e, Is.InstanceOf<PaliCudaInputException>());
        Assert.That(e.Message, Does.StartWith("bad:"));
    }
}
