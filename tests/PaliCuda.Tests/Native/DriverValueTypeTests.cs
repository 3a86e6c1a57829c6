using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>Small value types of the binding; no GPU needed.</summary>
[TestFixture]
public class DriverValueTypeTests
{
    [TestCase(0L, 256u, 1u)]
    [TestCase(1L, 256u, 1u)]
    [TestCase(256L, 256u, 1u)]
    [TestCase(257L, 256u, 2u)]
    [TestCase(1_000_000L, 128u, 7813u)]
    public void GridCoversEveryElement(long elements, uint threads, uint expectedBlocks)
    {
        var grid = Dim3.GridFor(elements, threads);
        Assert.That(grid, Is.EqualTo(new Dim3(expectedBlocks, 1, 1)));
        Assert.That((long)grid.X * threads, Is.GreaterThanOrEqualTo(elements));
        Assert.That((long)(grid.X - 1) * threads, Is.LessThan(Math.Max(1, elements)));
    }

    [Test]
    public void DevicePointerOffsetsAndRejectsOverflow()
    {
        var pointer = new DevicePointer(0x1000);
        Assert.That((pointer + 0x20).Address, Is.EqualTo(0x1020UL));
        Assert.That(pointer.Offset(-0x1000).IsNull, Is.True);
        Assert.That(pointer.ToString(), Is.EqualTo("0x1000"));
        Assert.Throws<OverflowException>(() => pointer.Offset(-0x1001));
    }

    [Test]
    public void ComputeCapabilityOrdersBySmVersion()
    {
        var ampere = new ComputeCapability(8, 0);
        var hopper = new ComputeCapability(9, 0);
        Assert.That(ampere.SmVersion, Is.EqualTo(80));
        Assert.That(ampere.CompareTo(hopper), Is.Negative);
        Assert.That(new ComputeCapability(8, 9).CompareTo(ampere), Is.Positive);
        Assert.That(hopper.ToString(), Is.EqualTo("9.0"));
    }
}
