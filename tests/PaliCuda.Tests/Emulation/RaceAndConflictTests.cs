using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class RaceAndConflictTests
{
    private static int[] Exchange(EmulatedDevice device, int mode)
    {
        var f = EmulatorKernels.Load(device, "checks", "shared_exchange");
        var o = device.Allocate(64 * 4);
        device.Launch(f, new LaunchConfig(1, 64), new KernelArguments().Add(o).Add(mode));
        return device.Download<int>(o);
    }

    [Test]
    public void SeparatedByABarrierIsNotARace()
    {
        using var device = new EmulatedDevice();
        var o = Exchange(device, 0);
        for (int t = 0; t < 64; t++) Assert.That(o[t], Is.EqualTo((t + 32) % 64 + 100), $"thread {t}");
    }

    [Test]
    public void ReadAndWriteByDifferentWarpsWithoutABarrierIsARace()
    {
        using var device = new EmulatedDevice();
        var e = Assert.Throws<EmulatorException>(() => Exchange(device, 1));
        Assert.That(e!.Message, Does.Contain("shared-memory race"));
        Assert.That(e.Message, Does.Contain("thread (32,0,0)"), "the writing thread (warp 1)");
        Assert.That(e.Message, Does.Contain("read by thread (0,0,0) (warp 0)"), "the reading thread (warp 0)");
        Assert.That(e.Message, Does.Contain("PTX line"));
    }

    [Test]
    public void SameWarpNeighboursAreOrderedByLockstep()
    {
        using var device = new EmulatedDevice();
        var o = Exchange(device, 2);
        for (int t = 0; t < 64; t++) Assert.That(o[t], Is.EqualTo((t ^ 1) + 100), $"thread {t}");
    }

    [Test]
    public void RaceCheckCanBeSwitchedOff()
    {
        using var device = new EmulatedDevice(new EmulatorOptions { DetectSharedRaces = false, ParallelBlocks = false });
        Assert.DoesNotThrow(() => Exchange(device, 1));
    }

    [Test]
    public void TwoBlocksStoringTheSameGlobalBytesConflict()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "checks", "every_block_writes");
        var o = device.Allocate(32 * 4);
        var e = Assert.Throws<EmulatorException>(() => device.Launch(f, new LaunchConfig(3, 32), new KernelArguments().Add(o).Add(0)));
        Assert.That(e!.Message, Does.Contain("both write global address"));
        Assert.That(e.Message, Does.Contain("blocks ("));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AtomicAccumulationAcrossBlocksIsAllowedAndExact(bool parallel)
    {
        using var device = new EmulatedDevice(new EmulatorOptions { ParallelBlocks = parallel, MaxParallelism = 4 });
        var f = EmulatorKernels.Load(device, "checks", "every_block_writes");
        var o = device.Upload<int>(new int[32]);
        device.Launch(f, new LaunchConfig(40, 32), new KernelArguments().Add(o).Add(1));
        Assert.That(device.Download<int>(o), Is.All.EqualTo(Enumerable.Range(0, 40).Sum()));
    }

    [Test]
    public void RequiredBlockShapeIsEnforced()
    {
        const string ptx = """
            .version 7.8
            .target sm_80
            .address_size 64
            .visible .entry fixed(.param .u64 p) .reqntid 64, 1, 1
            {
                ret;
            }
            """;
        using var device = new EmulatedDevice();
        var f = device.LoadModule("fixed", ptx).GetFunction("fixed");
        var buffer = device.Allocate(4);
        Assert.DoesNotThrow(() => device.Launch(f, new LaunchConfig(1, 64), new KernelArguments().Add(buffer)));
        var e = Assert.Throws<EmulatorException>(() => device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(buffer)));
        Assert.That(e!.Message, Does.Contain(".reqntid 64, 1, 1"));
    }

    [Test]
    public void FaultsCanDumpTheThreadsRegisters()
    {
        using var device = new EmulatedDevice(new EmulatorOptions { DumpRegistersOnFault = true });
        var f = EmulatorKernels.Load(device, "faults", "write_past_end");
        var a = device.Allocate(32 * 4);
        var e = Assert.Throws<EmulatorException>(() => device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(a).Add(5)));
        Assert.That(e!.Message, Does.Contain("Registers of this thread:"));
        // The faulting thread is 27 (the first past the end): %r registers hold its index and n = 5.
        Assert.That(e.Message, Does.Match(@"%r\d+ = 0x1B\b"));
        Assert.That(e.Message, Does.Match(@"%r\d+ = 0x5\b"));
    }
}
