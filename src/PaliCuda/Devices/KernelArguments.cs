using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PaliCuda.Devices;

/// <summary>
/// The arguments of one launch, in declaration order. Each argument carries its byte size so that
/// packing against the kernel's declared parameter layout can refuse a size mismatch instead of
/// silently shifting every later parameter.
/// </summary>
public sealed class KernelArguments
{
    private readonly List<byte[]> _values = new();

    public int Count => _values.Count;

    public KernelArguments Add(DeviceBuffer pointer) => AddRaw(BitConverter.GetBytes(pointer.Address));
    public KernelArguments AddPointer(ulong address) => AddRaw(BitConverter.GetBytes(address));
    public KernelArguments Add(int value) => AddRaw(BitConverter.GetBytes(value));
    public KernelArguments Add(uint value) => AddRaw(BitConverter.GetBytes(value));
    public KernelArguments Add(long value) => AddRaw(BitConverter.GetBytes(value));
    public KernelArguments Add(ulong value) => AddRaw(BitConverter.GetBytes(value));
    public KernelArguments Add(float value) => AddRaw(BitConverter.GetBytes(value));
    public KernelArguments Add(double value) => AddRaw(BitConverter.GetBytes(value));

    /// <summary>A by-value struct argument, passed as its exact bytes (the C layout of the struct).</summary>
    public KernelArguments AddStruct<T>(in T value) where T : unmanaged =>
        AddRaw(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray());

    /// <summary>An argument given as raw little-endian bytes.</summary>
    public KernelArguments AddBytes(ReadOnlySpan<byte> bytes) => AddRaw(bytes.ToArray());

    private KernelArguments AddRaw(byte[] bytes)
    {
        _values.Add(bytes);
        return this;
    }

    /// <summary>
    /// Lays the arguments out as the kernel's parameter block. Throws when the count or any size differs
    /// from the declaration.
    /// </summary>
    public byte[] Pack(string kernelName, IReadOnlyList<KernelParameterInfo> parameters)
    {
        if (parameters.Count != _values.Count)
        {
            throw new ArgumentException(
                $"Kernel '{kernelName}' declares {parameters.Count} parameters but {_values.Count} arguments were given.");
        }
        int total = 0;
        foreach (var p in parameters)
        {
            total = Math.Max(total, p.Offset + p.Size);
        }
        var block = new byte[total];
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (_values[i].Length != p.Size)
            {
                throw new ArgumentException(
                    $"Kernel '{kernelName}' parameter {i} ('{p.Name}') is {p.Size} bytes but the argument is {_values[i].Length} bytes.");
            }
            _values[i].CopyTo(block, p.Offset);
        }
        return block;
    }

    /// <summary>Reads a little-endian 64-bit value from a packed block; used by tests and diagnostics.</summary>
    public static ulong ReadUInt64(ReadOnlySpan<byte> block, int offset) =>
        BinaryPrimitives.ReadUInt64LittleEndian(block[offset..]);
}
