using PaliCuda.Graph;

namespace PaliCuda.Backends;

/// <summary>A typed, shaped, row-major view into backend memory. Offsets are in bytes.</summary>
public sealed record DeviceTensor(DeviceMemory Memory, long ByteOffset, int[] Shape, BufferDType DType, string Name)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => ElementCount * DType.ElementBytes();
    /// <summary>Last dimension (features); 1 for a scalar.</summary>
    public int Cols => Shape.Length == 0 ? 1 : Shape[^1];
    /// <summary>Product of all but the last dimension.</summary>
    public int Rows => (int)(ElementCount / Math.Max(1, Cols));
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
