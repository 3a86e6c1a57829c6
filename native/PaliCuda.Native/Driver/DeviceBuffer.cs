using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Owned device memory (<c>cuMemAlloc</c>): a pointer and a byte length. Every copy and fill is bounds-checked
/// against the length before it reaches the driver. Knows bytes, not element types or shapes.
/// </summary>
public sealed unsafe class DeviceBuffer : CudaResource
{
    private DeviceBuffer(CudaContext context, ulong address, long byteLength)
        : base(context, (nint)address)
    {
        ByteLength = byteLength;
    }

    /// <summary>Size of the allocation in bytes.</summary>
    public long ByteLength { get; }

    /// <summary>The start of the allocation (256-byte aligned by the driver).</summary>
    public DevicePointer Pointer => new((ulong)NativeHandle);

    /// <summary>Allocates <paramref name="byteLength"/> bytes (contents undefined) in <paramref name="context"/>.</summary>
    public static DeviceBuffer Allocate(CudaContext context, long byteLength)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(byteLength);
        ulong address = 0;
        using (context.Enter())
        {
            Check(CudaDriverApi.cuMemAlloc_v2(&address, (nuint)byteLength), $"cuMemAlloc_v2({byteLength} bytes)");
        }

        return new DeviceBuffer(context, address, byteLength);
    }

    /// <summary>The address <paramref name="byteOffset"/> bytes in; the offset may equal the length (one past the end).</summary>
    public DevicePointer At(long byteOffset)
    {
        if (byteOffset < 0 || byteOffset > ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset), byteOffset, $"Offset must be in [0, {ByteLength}] for this {ByteLength}-byte device buffer.");
        }

        return Pointer.Offset(byteOffset);
    }

    public void CopyFromHost<T>(ReadOnlySpan<T> source, long destinationOffset = 0) where T : unmanaged
    {
        CheckRange(destinationOffset, (long)source.Length * sizeof(T), nameof(source));
        CudaMemory.CopyHostToDevice(Pointer.Offset(destinationOffset), source);
    }

    public void CopyToHost<T>(Span<T> destination, long sourceOffset = 0) where T : unmanaged
    {
        CheckRange(sourceOffset, (long)destination.Length * sizeof(T), nameof(destination));
        CudaMemory.CopyDeviceToHost(destination, Pointer.Offset(sourceOffset));
    }

    public void CopyFromHostAsync(PinnedHostBuffer source, long byteCount, CudaStream? stream, long sourceOffset = 0, long destinationOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        source.CheckRange(sourceOffset, byteCount, nameof(source));
        CheckRange(destinationOffset, byteCount, nameof(byteCount));
        CudaMemory.CopyHostToDeviceAsync(Pointer.Offset(destinationOffset), source.Pointer + (nint)sourceOffset, byteCount, stream);
    }

    public void CopyToHostAsync(PinnedHostBuffer destination, long byteCount, CudaStream? stream, long sourceOffset = 0, long destinationOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.CheckRange(destinationOffset, byteCount, nameof(destination));
        CheckRange(sourceOffset, byteCount, nameof(byteCount));
        CudaMemory.CopyDeviceToHostAsync(destination.Pointer + (nint)destinationOffset, Pointer.Offset(sourceOffset), byteCount, stream);
    }

    public void CopyFrom(DeviceBuffer source, long byteCount, long sourceOffset = 0, long destinationOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        source.CheckRange(sourceOffset, byteCount, nameof(source));
        CheckRange(destinationOffset, byteCount, nameof(byteCount));
        CudaMemory.CopyDeviceToDevice(Pointer.Offset(destinationOffset), source.Pointer.Offset(sourceOffset), byteCount);
    }

    public void CopyFromAsync(DeviceBuffer source, long byteCount, CudaStream? stream, long sourceOffset = 0, long destinationOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        source.CheckRange(sourceOffset, byteCount, nameof(source));
        CheckRange(destinationOffset, byteCount, nameof(byteCount));
        CudaMemory.CopyDeviceToDeviceAsync(Pointer.Offset(destinationOffset), source.Pointer.Offset(sourceOffset), byteCount, stream);
    }

    /// <summary>Sets every byte to <paramref name="value"/>.</summary>
    public void Fill8(byte value) => CudaMemory.Fill8(Pointer, value, ByteLength);

    /// <summary>Sets every 32-bit word to <paramref name="value"/>; the length must be a multiple of 4.</summary>
    public void Fill32(uint value) => CudaMemory.Fill32(Pointer, value, WordCount());

    public void Fill8Async(byte value, CudaStream? stream) => CudaMemory.Fill8Async(Pointer, value, ByteLength, stream);

    public void Fill32Async(uint value, CudaStream? stream) => CudaMemory.Fill32Async(Pointer, value, WordCount(), stream);

    /// <summary>Throws unless [offset, offset + count) lies inside the buffer.</summary>
    internal void CheckRange(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > ByteLength || count > ByteLength - offset)
        {
            throw new ArgumentOutOfRangeException(what, $"Range [{offset}, {offset} + {count}) is outside this {ByteLength}-byte device buffer.");
        }
    }

    private long WordCount() =>
        ByteLength % sizeof(uint) == 0
            ? ByteLength / sizeof(uint)
            : throw new InvalidOperationException($"A 32-bit fill needs a length that is a multiple of 4; this device buffer has {ByteLength} bytes.");

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuMemFree_v2((ulong)nativeHandle);
}
