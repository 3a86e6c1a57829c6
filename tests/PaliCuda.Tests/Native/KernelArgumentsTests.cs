using System.Runtime.InteropServices;
using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>The launch argument block: packing, bounds, and no allocation per set. No GPU needed.</summary>
[TestFixture]
public unsafe class KernelArgumentsTests
{
    /// <summary>Setter calls measured for allocation; large enough that one boxing per call would show as kilobytes.</summary>
    private const int AllocationProbeIterations = 10_000;

    [Test]
    public void EachSetterWritesItsValueBytesIntoItsSlot()
    {
        using var arguments = new KernelArguments(7);
        var pointer = new DevicePointer(0x7f00_1234_5678UL);
        var parameters = new ScaleParams { Alpha = 2.5f, Count = -17 };
        arguments.SetPointer(0, pointer).SetInt(1, -42).SetUInt(2, 0xDEADBEEF).SetFloat(3, 3.25f).SetLong(4, long.MinValue + 5)
            .SetStruct(5, parameters).SetInt(6, 0);

        Assert.That(arguments.GetSlotBytes(0).ToArray(), Is.EqualTo(BitConverter.GetBytes(pointer.Address)));
        Assert.That(arguments.GetSlotBytes(1).ToArray(), Is.EqualTo(BitConverter.GetBytes(-42)));
        Assert.That(arguments.GetSlotBytes(2).ToArray(), Is.EqualTo(BitConverter.GetBytes(0xDEADBEEF)));
        Assert.That(arguments.GetSlotBytes(3).ToArray(), Is.EqualTo(BitConverter.GetBytes(3.25f)));
        Assert.That(arguments.GetSlotBytes(4).ToArray(), Is.EqualTo(BitConverter.GetBytes(long.MinValue + 5)));
        Assert.That(arguments.GetSlotBytes(5).ToArray(), Is.EqualTo(BitConverter.GetBytes(2.5f).Concat(BitConverter.GetBytes(-17)).ToArray()));
        Assert.That(arguments.GetSlotBytes(6).ToArray(), Is.EqualTo(BitConverter.GetBytes(0)));
        Assert.That(arguments.IsComplete, Is.True);
    }

    [Test]
    public void ParameterArrayPointsAtEachAlignedSlot()
    {
        using var arguments = new KernelArguments(3, slotCapacityBytes: 24);
        Assert.That(arguments.SlotCapacityBytes, Is.EqualTo(32), "slot capacity rounds up to 16-byte alignment");
        arguments.SetInt(0, 1).SetFloat(1, 2).SetLong(2, 3);
        var parameters = arguments.GetParameterArray();
        for (var i = 0; i < arguments.Count; i++)
        {
            fixed (byte* slot = arguments.GetSlotBytes(i))
            {
                Assert.That((nint)parameters[i], Is.EqualTo((nint)slot), $"slot {i}");
                Assert.That((long)slot % 16, Is.Zero, $"slot {i} alignment");
            }
        }

        Assert.That(*(int*)parameters[0], Is.EqualTo(1));
        Assert.That(*(float*)parameters[1], Is.EqualTo(2f));
        Assert.That(*(long*)parameters[2], Is.EqualTo(3L));
    }

    [Test]
    public void ResettingASlotReplacesItsBytesAndSize()
    {
        using var arguments = new KernelArguments(1);
        arguments.SetLong(0, -1);
        arguments.SetInt(0, 7);
        Assert.That(arguments.GetSlotBytes(0).ToArray(), Is.EqualTo(BitConverter.GetBytes(7)));
    }

    [Test]
    public void SettersDoNotAllocate()
    {
        using var arguments = new KernelArguments(6);
        var pointer = new DevicePointer(0x1000);
        var parameters = new ScaleParams { Alpha = 1, Count = 2 };
        void SetAll(int i)
        {
            arguments.SetPointer(0, pointer).SetInt(1, i).SetUInt(2, (uint)i).SetFloat(3, i).SetLong(4, i).SetStruct(5, parameters);
            _ = arguments.GetParameterArray();
        }

        SetAll(0); // first calls may JIT-compile; measure afterwards
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < AllocationProbeIterations; i++)
        {
            SetAll(i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"{AllocationProbeIterations} rounds of 6 setters allocated {allocated} bytes.");
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void BadIndexOversizedStructUnsetSlotAndDisposalAreTypedErrors()
    {
        var arguments = new KernelArguments(2, slotCapacityBytes: 16);
        Assert.Throws<ArgumentOutOfRangeException>(() => arguments.SetInt(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => arguments.SetInt(-1, 0));
        var tooLarge = Assert.Throws<ArgumentException>(() => arguments.SetStruct(0, new Large()))!;
        Assert.That(tooLarge.Message, Does.Contain("32 bytes").And.Contain("16"));

        arguments.SetInt(0, 1);
        Assert.That(arguments.IsComplete, Is.False);
        var unset = Assert.Throws<InvalidOperationException>(() => arguments.GetParameterArray())!;
        Assert.That(unset.Message, Does.Contain("argument 1 of 2"));

        arguments.Dispose();
        Assert.Throws<ObjectDisposedException>(() => arguments.SetInt(0, 1));
        Assert.Throws<ObjectDisposedException>(() => arguments.GetParameterArray());
    }

    [Test]
    public void ZeroArgumentKernelsAreComplete()
    {
        using var arguments = new KernelArguments(0);
        Assert.That(arguments.IsComplete, Is.True);
        Assert.That((nint)arguments.GetParameterArray(), Is.Not.Zero);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Large
    {
        public long A, B, C, D;
    }
}
