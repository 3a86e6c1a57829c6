using System.Runtime.InteropServices;

namespace PaliCuda.Devices;

/// <summary>Typed conveniences over the byte-level copy methods of <see cref="IComputeDevice"/>.</summary>
public static class ComputeDeviceExtensions
{
    /// <summary>Allocates a buffer exactly the size of <paramref name="data"/> and uploads it.</summary>
    public static DeviceBuffer Upload<T>(this IComputeDevice device, ReadOnlySpan<T> data, IComputeStream? stream = null)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data);
        var buffer = device.Allocate(bytes.Length);
        device.CopyHostToDevice(bytes, buffer, stream);
        return buffer;
    }

    /// <summary>Downloads the whole buffer as elements of <typeparamref name="T"/>.</summary>
    public static T[] Download<T>(this IComputeDevice device, DeviceBuffer buffer, IComputeStream? stream = null)
        where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        if (buffer.ByteLength % size != 0)
        {
            throw new ArgumentException($"{buffer} is not a whole number of {typeof(T).Name} elements.", nameof(buffer));
        }
        var result = new T[buffer.ByteLength / size];
        device.CopyDeviceToHost(buffer, MemoryMarshal.AsBytes(result.AsSpan()), stream);
        return result;
    }
}
