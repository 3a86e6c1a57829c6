namespace PaliCuda.Native.Driver;

/// <summary>A <c>CUdeviceptr</c>: an address in device memory. Carries no length; see <see cref="DeviceBuffer"/> for owned ranges.</summary>
public readonly record struct DevicePointer(ulong Address)
{
    public static DevicePointer Null => default;

    public bool IsNull => Address == 0;

    /// <summary>The address <paramref name="byteOffset"/> bytes further on.</summary>
    public DevicePointer Offset(long byteOffset) => new(checked((ulong)((long)Address + byteOffset)));

    public static DevicePointer operator +(DevicePointer pointer, long byteOffset) => pointer.Offset(byteOffset);

    public override string ToString() => $"0x{Address:x}";
}
