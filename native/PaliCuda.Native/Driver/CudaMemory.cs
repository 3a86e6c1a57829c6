using System.Runtime.CompilerServices;
using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Pointer-level copies and fills, for callers that sub-allocate (an arena hands out pointers into one
/// <see cref="DeviceBuffer"/>). No bounds checks are possible here; <see cref="DeviceBuffer"/> adds them.
/// Runs on the calling thread's current context. A null stream means the legacy default stream.
/// </summary>
public static unsafe class CudaMemory
{
    public static void CopyHostToDevice<T>(DevicePointer destination, ReadOnlySpan<T> source) where T : unmanaged
    {
        fixed (T* pointer = source)
        {
            Check(CudaDriverApi.cuMemcpyHtoD_v2(destination.Address, pointer, ByteCount(source.Length, sizeof(T))));
        }
    }

    public static void CopyDeviceToHost<T>(Span<T> destination, DevicePointer source) where T : unmanaged
    {
        fixed (T* pointer = destination)
        {
            Check(CudaDriverApi.cuMemcpyDtoH_v2(pointer, source.Address, ByteCount(destination.Length, sizeof(T))));
        }
    }

    public static void CopyDeviceToDevice(DevicePointer destination, DevicePointer source, long byteCount) =>
        Check(CudaDriverApi.cuMemcpyDtoD_v2(destination.Address, source.Address, ToSize(byteCount)));

    /// <summary>Asynchronous only if <paramref name="source"/> is page-locked (see <see cref="PinnedHostBuffer"/>); the memory must stay valid until the stream reaches the copy.</summary>
    public static void CopyHostToDeviceAsync(DevicePointer destination, nint source, long byteCount, CudaStream? stream) =>
        Check(CudaDriverApi.cuMemcpyHtoDAsync_v2(destination.Address, (void*)source, ToSize(byteCount), CudaStream.HandleOf(stream)));

    /// <summary>Asynchronous only if <paramref name="destination"/> is page-locked; read it only after the stream is synchronized.</summary>
    public static void CopyDeviceToHostAsync(nint destination, DevicePointer source, long byteCount, CudaStream? stream) =>
        Check(CudaDriverApi.cuMemcpyDtoHAsync_v2((void*)destination, source.Address, ToSize(byteCount), CudaStream.HandleOf(stream)));

    public static void CopyDeviceToDeviceAsync(DevicePointer destination, DevicePointer source, long byteCount, CudaStream? stream) =>
        Check(CudaDriverApi.cuMemcpyDtoDAsync_v2(destination.Address, source.Address, ToSize(byteCount), CudaStream.HandleOf(stream)));

    /// <summary>Sets <paramref name="count"/> bytes.</summary>
    public static void Fill8(DevicePointer destination, byte value, long count) =>
        Check(CudaDriverApi.cuMemsetD8_v2(destination.Address, value, ToSize(count)));

    /// <summary>Sets <paramref name="count"/> 32-bit words; <paramref name="destination"/> must be 4-byte aligned.</summary>
    public static void Fill32(DevicePointer destination, uint value, long count) =>
        Check(CudaDriverApi.cuMemsetD32_v2(destination.Address, value, ToSize(count)));

    public static void Fill8Async(DevicePointer destination, byte value, long count, CudaStream? stream) =>
        Check(CudaDriverApi.cuMemsetD8Async(destination.Address, value, ToSize(count), CudaStream.HandleOf(stream)));

    public static void Fill32Async(DevicePointer destination, uint value, long count, CudaStream? stream) =>
        Check(CudaDriverApi.cuMemsetD32Async(destination.Address, value, ToSize(count), CudaStream.HandleOf(stream)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint ByteCount(int length, int elementSize) => (nuint)length * (nuint)elementSize;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint ToSize(long count, [CallerArgumentExpression(nameof(count))] string name = "") =>
        count >= 0 ? (nuint)count : throw new ArgumentOutOfRangeException(name, count, "A byte or element count cannot be negative.");
}
