using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>Device and pinned memory round trips on a real device.</summary>
[TestFixture]
[Category("Gpu")]
public class GpuMemoryTests
{
    [Test]
    public void DeviceInfoIsPlausible()
    {
        var device = GpuRequired.DeviceOrIgnore().Devices[0];
        TestContext.Out.WriteLine(device);
        Assert.That(device.Name, Is.Not.Empty);
        Assert.That(device.SmCount, Is.Positive);
        Assert.That(device.TotalMemoryBytes, Is.Positive);
        Assert.That(device.L2CacheBytes, Is.Positive);
        Assert.That(device.WarpSize, Is.EqualTo(32));
        Assert.That(device.MaxSharedMemoryPerBlockOptin, Is.GreaterThanOrEqualTo(device.MaxSharedMemoryPerBlock));
        Assert.That(device.MemoryBusWidthBits, Is.Positive);
        Assert.That(device.ComputeCapability.Major, Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void HostDeviceHostRoundTripIsExact()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        const int count = 100_003;
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1) * 1e3f;
        }

        using var first = DeviceBuffer.Allocate(context, count * sizeof(float));
        using var second = DeviceBuffer.Allocate(context, count * sizeof(float));
        first.CopyFromHost<float>(data);
        second.CopyFrom(first, first.ByteLength);
        var back = new float[count];
        second.CopyToHost<float>(back);
        Assert.That(back, Is.EqualTo(data));

        // Offsets: move the first 1000 floats to the end of the second buffer.
        const int moved = 1000;
        second.CopyFrom(first, moved * sizeof(float), sourceOffset: 0, destinationOffset: (count - moved) * sizeof(float));
        var tail = new float[moved];
        second.CopyToHost<float>(tail, sourceOffset: (count - moved) * sizeof(float));
        Assert.That(tail, Is.EqualTo(data[..moved]));
    }

    [Test]
    public void AsyncCopiesThroughPinnedMemoryAreExact()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        const int count = 65_536;
        using var stream = CudaStream.Create(context);
        using var upload = PinnedHostBuffer.Allocate(context, count * sizeof(int));
        using var download = PinnedHostBuffer.Allocate(context, count * sizeof(int));
        using var device = DeviceBuffer.Allocate(context, count * sizeof(int));
        var source = upload.AsSpan<int>();
        for (var i = 0; i < count; i++)
        {
            source[i] = random.Next();
        }

        var expected = source.ToArray();
        download.AsSpan<int>().Fill(-1);
        device.CopyFromHostAsync(upload, upload.ByteLength, stream);
        device.CopyToHostAsync(download, download.ByteLength, stream);
        stream.Synchronize();
        Assert.That(download.AsSpan<int>().ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void FillsSetEveryElement()
    {
        using var context = GpuRequired.ContextOrIgnore();
        using var stream = CudaStream.Create(context);
        const int count = 4097;
        using var buffer = DeviceBuffer.Allocate(context, count * sizeof(float));
        buffer.Fill32(BitConverter.SingleToUInt32Bits(1.5f));
        var floats = new float[count];
        buffer.CopyToHost<float>(floats);
        Assert.That(floats, Is.All.EqualTo(1.5f));

        buffer.Fill8Async(0xAB, stream);
        stream.Synchronize();
        var bytes = new byte[count * sizeof(float)];
        buffer.CopyToHost<byte>(bytes);
        Assert.That(bytes, Is.All.EqualTo((byte)0xAB));

        buffer.Fill32Async(7, stream);
        stream.Synchronize();
        var words = new uint[count];
        buffer.CopyToHost<uint>(words);
        Assert.That(words, Is.All.EqualTo(7u));
    }

    [Test]
    public void OutOfRangeCopiesAreRejectedBeforeTheDriver()
    {
        using var context = GpuRequired.ContextOrIgnore();
        using var buffer = DeviceBuffer.Allocate(context, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyFromHost<byte>(new byte[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyToHost<byte>(new byte[4], sourceOffset: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.At(7));
        Assert.That(buffer.At(6), Is.EqualTo(buffer.Pointer + 6));
        var fill = Assert.Throws<InvalidOperationException>(() => buffer.Fill32(0))!;
        Assert.That(fill.Message, Does.Contain("6 bytes"));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceBuffer.Allocate(context, 0));
    }

    [Test]
    public void MemoryInfoAndOwnershipOutliveTheContextReference()
    {
        var context = GpuRequired.ContextOrIgnore();
        var info = context.GetMemoryInfo();
        TestContext.Out.WriteLine($"free {info.FreeBytes >> 20} MiB of {info.TotalBytes >> 20} MiB");
        Assert.That(info.FreeBytes, Is.InRange(1L, info.TotalBytes));
        Assert.That(info.TotalBytes, Is.LessThanOrEqualTo(context.DeviceInfo.TotalMemoryBytes));

        var buffer = DeviceBuffer.Allocate(context, 1 << 20);
        context.Dispose(); // the buffer still holds the context
        buffer.Fill8(1);
        var check = new byte[16];
        buffer.CopyToHost<byte>(check);
        Assert.That(check, Is.All.EqualTo((byte)1));
        buffer.Dispose();
        Assert.That(buffer.IsClosed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => _ = buffer.Pointer);
    }
}
