using System.Runtime.InteropServices;

namespace PaliCuda.Native.Driver;

/// <summary>
/// A reusable argument block for <c>cuLaunchKernel</c>: one unmanaged, 16-byte-aligned allocation holding the
/// <c>void*</c> array the driver reads and a fixed-capacity slot per argument that each entry points to.
/// Setters write in place: no boxing, no allocation per launch. The driver copies the values when a launch
/// (or capture) is issued, so the block may be rewritten right after. Not thread-safe.
/// A struct argument must have the same layout as the kernel's parameter type.
/// </summary>
public sealed unsafe class KernelArguments : IDisposable
{
    /// <summary>Room for any scalar or pointer and for small structs (e.g. four floats).</summary>
    public const int DefaultSlotCapacityBytes = 16;

    /// <summary>Matches the strictest alignment a kernel parameter can ask for (<c>float4</c>, <c>double2</c>).</summary>
    private const int SlotAlignment = 16;

    private readonly int[] slotSizes;
    private void* block;
    private void** parameters;
    private byte* slots;
    private int setCount;

    /// <param name="count">Number of kernel parameters.</param>
    /// <param name="slotCapacityBytes">Largest argument any slot must hold; rounded up to 16.</param>
    public KernelArguments(int count, int slotCapacityBytes = DefaultSlotCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slotCapacityBytes);
        Count = count;
        SlotCapacityBytes = RoundUp(slotCapacityBytes, SlotAlignment);
        var pointerBytes = RoundUp(count * sizeof(void*), SlotAlignment);
        var totalBytes = Math.Max(SlotAlignment, pointerBytes + (long)count * SlotCapacityBytes);
        block = NativeMemory.AlignedAlloc((nuint)totalBytes, SlotAlignment);
        NativeMemory.Clear(block, (nuint)totalBytes);
        parameters = (void**)block;
        slots = (byte*)block + pointerBytes;
        for (var i = 0; i < count; i++)
        {
            parameters[i] = slots + (long)i * SlotCapacityBytes;
        }

        slotSizes = new int[count];
    }

    ~KernelArguments() => Free();

    public int Count { get; }

    public int SlotCapacityBytes { get; }

    /// <summary>True once every slot has been set at least once.</summary>
    public bool IsComplete => setCount == Count;

    public KernelArguments SetPointer(int index, DevicePointer value) => Write(index, value.Address);

    public KernelArguments SetPointer(int index, DeviceBuffer buffer) => Write(index, buffer.Pointer.Address);

    public KernelArguments SetInt(int index, int value) => Write(index, value);

    public KernelArguments SetUInt(int index, uint value) => Write(index, value);

    public KernelArguments SetFloat(int index, float value) => Write(index, value);

    public KernelArguments SetLong(int index, long value) => Write(index, value);

    /// <summary>Writes a blittable struct by value; its size must fit <see cref="SlotCapacityBytes"/>.</summary>
    public KernelArguments SetStruct<T>(int index, in T value) where T : unmanaged => Write(index, value);

    /// <summary>The bytes last written to slot <paramref name="index"/> (empty if never set).</summary>
    public ReadOnlySpan<byte> GetSlotBytes(int index)
    {
        var slot = Slot(index, 0);
        return new ReadOnlySpan<byte>(slot, slotSizes[index]);
    }

    /// <summary>The <c>void**</c> handed to <c>cuLaunchKernel</c>; throws if any slot is unset.</summary>
    internal void** GetParameterArray()
    {
        ObjectDisposedException.ThrowIf(block is null, this);
        if (setCount != Count)
        {
            throw new InvalidOperationException($"Kernel argument {Array.IndexOf(slotSizes, 0)} of {Count} was never set.");
        }

        return parameters;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private KernelArguments Write<T>(int index, in T value) where T : unmanaged
    {
        *(T*)Slot(index, sizeof(T)) = value;
        if (slotSizes[index] == 0)
        {
            setCount++;
        }

        slotSizes[index] = sizeof(T);
        return this;
    }

    private byte* Slot(int index, int size)
    {
        ObjectDisposedException.ThrowIf(block is null, this);
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"This kernel takes {Count} arguments.");
        }

        if (size > SlotCapacityBytes)
        {
            throw new ArgumentException($"Argument {index} is {size} bytes but slots hold {SlotCapacityBytes}; create the KernelArguments with a larger slot capacity.", nameof(index));
        }

        return slots + (long)index * SlotCapacityBytes;
    }

    private void Free()
    {
        if (block is not null)
        {
            NativeMemory.AlignedFree(block);
            block = null;
            parameters = null;
            slots = null;
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
