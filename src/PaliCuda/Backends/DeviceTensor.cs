using PaliCuda.Graph;

namespace PaliCuda.Backends;

/// <summary>
/// A typed, shaped, row-major view into backend memory. Offsets are in bytes. A weight stored packed (int8, int4,
/// fp8 + scales) has <see cref="Packed"/> set: its bytes are the packed data, not <see cref="DType"/> elements, and only
/// ops that know the format (the GPU backend's MatMul and embedding gather) may read it.
/// </summary>
public sealed record DeviceTensor(DeviceMemory Memory, long ByteOffset, int[] Shape, BufferDType DType, string Name)
{
    /// <summary>Set for a weight stored in a packed format; <see cref="DType"/> is then the type it is computed in.</summary>
    public PackedWeightStorage? Packed { get; init; }

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>Bytes at <see cref="ByteOffset"/>: the elements, or a packed weight's data bytes.</summary>
    public long ByteLength => Packed?.DataBytes ?? ElementCount * DType.ElementBytes();
    /// <summary>All device bytes of the tensor (a packed weight's data and scales).</summary>
    public long StoredBytes => Packed?.StoredBytes ?? ByteLength;
    /// <summary>Last dimension (features); 1 for a scalar.</summary>
    public int Cols => Shape.Length == 0 ? 1 : Shape[^1];
    /// <summary>Product of all but the last dimension.</summary>
    public int Rows => (int)(ElementCount / Math.Max(1, Cols));
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
