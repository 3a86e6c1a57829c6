using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class AsyncCopyTests
{
    [Test]
    public void SourceSizeZeroFillsAndIgnoreSourceWritesZeros()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "cp_async_fill");
        var source = Enumerable.Range(0, 32 * 4).Select(i => i * 1_000_003 + 17).ToArray();
        var sizes = Enumerable.Range(0, 32).Select(l => l % 17).ToArray();
        var ds = device.Upload<int>(source);
        var dz = device.Upload<int>(sizes);
        var dout = device.Allocate(32 * 16);
        var dign = device.Allocate(32 * 16);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(ds).Add(dz).Add(dout).Add(dign));
        var outBytes = device.Download<byte>(dout);
        var ignored = device.Download<int>(dign);
        var sourceBytes = source.SelectMany(BitConverter.GetBytes).ToArray();
        for (int l = 0; l < 32; l++)
        {
            for (int b = 0; b < 16; b++)
                Assert.That(outBytes[l * 16 + b], Is.EqualTo(b < sizes[l] ? sourceBytes[l * 16 + b] : 0), $"lane {l} byte {b}");
            for (int e = 0; e < 4; e++)
                Assert.That(ignored[l * 4 + e], Is.EqualTo((l & 1) != 0 ? 0 : source[l * 4 + e]), $"ignore-src lane {l}");
        }
    }

    [Test]
    public void WaitGroupRetiresOlderGroupsOnly()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "cp_async_groups");
        var source = Enumerable.Range(0, 256).Select(i => i * 31 + 5).ToArray();
        var ds = device.Upload<int>(source);
        var dout = device.Allocate(64 * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(ds).Add(dout).Add(0));
        var o = device.Download<int>(dout);
        for (int l = 0; l < 32; l++)
        {
            Assert.That(o[l], Is.EqualTo(source[l] + source[32 + 2 * l] + source[33 + 2 * l]), $"first group, lane {l}");
            Assert.That(o[32 + l], Is.EqualTo(source[96 + 4 * l] + source[99 + 4 * l]), $"second group, lane {l}");
        }
    }

    [Test]
    public void ReadingSharedBytesBeforeTheirGroupIsRetiredIsReported()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "cp_async_groups");
        var ds = device.Upload<int>(new int[256]);
        var dout = device.Allocate(64 * 4);
        var e = Assert.Throws<EmulatorException>(() =>
            device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(ds).Add(dout).Add(1)));
        Assert.That(e!.Message, Does.Contain("cp.async issued by thread (0,0,0)"));
        Assert.That(e.Message, Does.Contain("has not yet written"));
        Assert.That(e.Message, Does.Contain("ld.shared"));
    }
}
