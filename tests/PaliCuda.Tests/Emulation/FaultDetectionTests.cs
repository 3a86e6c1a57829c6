using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

/// <summary>Kernels with planted bugs (EmulatorKernels/faults.cu) must each be stopped with a message that
/// names the kernel, block, thread, PTX line and (for memory faults) the address.</summary>
public class FaultDetectionTests
{
    private static EmulatorException RunExpectingFault(string kernel, Func<EmulatedDevice, KernelArguments> args, LaunchConfig config)
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "faults", kernel);
        var a = args(device);
        return Assert.Throws<EmulatorException>(() => device.Launch(f, config, a))!;
    }

    [Test]
    public void OutOfBoundsGlobalWriteIsCaught()
    {
        var ex = RunExpectingFault("write_past_end", d => new KernelArguments().Add(d.Allocate(32 * 4)).Add(30), new LaunchConfig(1, 32));
        Assert.That(ex.Message, Does.Contain("'write_past_end'").And.Contain("out-of-bounds global access")
            .And.Contain("thread (2,0,0)").And.Contain("block (0,0,0)").And.Contain("PTX line").And.Contain("at address 0x")
            .And.Contain("0 bytes past the end"));
    }

    [Test]
    public void MisalignedVectorLoadIsCaught()
    {
        var ex = RunExpectingFault("misaligned_vector", d =>
        {
            var p = d.Allocate(1024);
            d.Memset(p, 0);
            return new KernelArguments().Add(p).Add(d.Allocate(128));
        }, new LaunchConfig(1, 32));
        Assert.That(ex.Message, Does.Contain("misaligned 16-byte global access").And.Contain("ld.global"));
    }

    [Test]
    public void ReadOfUninitialisedGlobalIsCaught()
    {
        var ex = RunExpectingFault("read_uninitialised", d => new KernelArguments().Add(d.Allocate(128)).Add(d.Allocate(128)), new LaunchConfig(1, 32));
        Assert.That(ex.Message, Does.Contain("read of uninitialised").And.Contain("thread (0,0,0)"));
    }

    [Test]
    public void UninitialisedCheckCanBeTurnedOff()
    {
        using var device = new EmulatedDevice(new EmulatorOptions { DetectUninitializedReads = false });
        var f = EmulatorKernels.Load(device, "faults", "read_uninitialised");
        var output = device.Allocate(128);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(device.Allocate(128)).Add(output));
        Assert.That(device.Download<float>(output), Is.All.EqualTo(0f));
    }

    [Test]
    public void DivergentBarrierIsCaught()
    {
        var ex = RunExpectingFault("divergent_barrier", d => new KernelArguments().Add(d.Allocate(64 * 4)), new LaunchConfig(1, 64));
        Assert.That(ex.Message, Does.Contain("barrier reached by a divergent warp").And.Contain("bar.sync"));
    }

    [Test]
    public void SharedOutOfBoundsIsCaught()
    {
        var ex = RunExpectingFault("shared_past_end", d => new KernelArguments().Add(d.Allocate(32 * 4)).Add(1), new LaunchConfig(1, 32));
        Assert.That(ex.Message, Does.Contain("out-of-bounds shared access").And.Contain("thread (31,0,0)"));
    }

    [Test]
    public void ShuffleWithMaskNamingInactiveLanesIsCaught()
    {
        var ex = RunExpectingFault("shuffle_bad_mask", d => new KernelArguments().Add(d.Allocate(32 * 4)), new LaunchConfig(1, 32));
        Assert.That(ex.Message, Does.Contain("shfl.sync member mask 0xFFFFFFFF differs"));
    }

    [Test]
    public void OversizedBlockIsRefused()
    {
        var ex = RunExpectingFault("write_past_end", d => new KernelArguments().Add(d.Allocate(4)).Add(0), new LaunchConfig(1, 2048));
        Assert.That(ex.Message, Does.Contain("block dimensions are limited"));
    }

    [Test]
    public void DynamicSharedAbove48KbNeedsOptIn()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "rmsnorm", "rmsnorm_bf16");
        var b = device.Allocate(256);
        var args = new KernelArguments().Add(b).Add(b).Add(b).Add(0).Add(1f);
        var ex = Assert.Throws<EmulatorException>(() => device.Launch(f, new LaunchConfig(1, 32, 64 * 1024), args));
        Assert.That(ex!.Message, Does.Contain("SetMaxDynamicSharedBytes"));
        f.SetMaxDynamicSharedBytes(64 * 1024);
        Assert.DoesNotThrow(() => device.Launch(f, new LaunchConfig(1, 32, 64 * 1024), args));
    }

    [Test]
    public void ArgumentSizeMismatchIsRefused()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "faults", "write_past_end");
        var ex = Assert.Throws<ArgumentException>(() =>
            device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(device.Allocate(4)).Add(1L)));
        Assert.That(ex!.Message, Does.Contain("parameter 1"));
    }
}
