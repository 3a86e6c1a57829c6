using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Page-locked host memory (<c>cuMemAllocHost</c>): the source or destination that makes async copies truly
/// asynchronous. Do not touch it while a copy that uses it is in flight.
/// </summary>
public sealed unsafe class PinnedHostBuffer : CudaResource
{
    private PinnedHostBuffer(CudaContext context, nint pointer, long byteLength)
        : base(context, pointer)
    {
        ByteLength = byteLength;
    }

    public long ByteLength { get; }

    /// <summary>The host address of the first byte.</summary>
    public nint Pointer => NativeHandle;

    public static PinnedHostBuffer Allocate(CudaContext context, long byteLength)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(byteLength);
        void* pointer = null;
        using (context.Enter())
        {
            Check(CudaDriverApi.cuMemAllocHost_v2(&pointer, (nuint)byteLength), $"cuMemAllocHost_v2({byteLength} bytes)");
        }

        return new PinnedHostBuffer(context, (nint)pointer, byteLength);
    }

    /// <summary>The whole buffer viewed as <typeparamref name="T"/>; trailing bytes that do not fill a whole element are left out.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        var length = ByteLength / sizeof(T);
        if (length > int.MaxValue)
        {
            throw new InvalidOperationException($"A span holds at most {int.MaxValue} elements; this pinned buffer holds {length} of {typeof(T).Name}.");
        }

        return new Span<T>((void*)Pointer, (int)length);
    }

    internal void CheckRange(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > ByteLength || count > ByteLength - offset)
        {
            throw new ArgumentOutOfRangeException(what, $"Range [{offset}, {offset} + {count}) is outside this {ByteLength}-byte pinned host buffer.");
        }
    }

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuMemFreeHost((void*)nativeHandle);
}
