namespace PaliCuda.Devices;

/// <summary>
/// A range of device memory: its device address and its length in bytes. Returned by
/// <see cref="IComputeDevice.Allocate"/>; slices name sub-ranges for copies and kernel arguments.
/// </summary>
public readonly record struct DeviceBuffer(ulong Address, long ByteLength)
{
    /// <summary>The sub-range [offset, offset + length) of this buffer.</summary>
    public DeviceBuffer Slice(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"Slice [{offset}, {offset + length}) lies outside a buffer of {ByteLength} bytes at 0x{Address:X}.");
        }
        return new DeviceBuffer(Address + (ulong)offset, length);
    }

    /// <summary>The sub-range from offset to the end of this buffer.</summary>
    public DeviceBuffer Slice(long offset) => Slice(offset, ByteLength - offset);

    public override string ToString() => $"DeviceBuffer(0x{Address:X}, {ByteLength} bytes)";
}
