namespace PaliCuda.Checkpoint;

/// <summary>Where one tensor lives: its file, its byte range inside that file's data section, dtype and shape.</summary>
public sealed record TensorInfo(string Name, TensorDType DType, long[] Shape, string FilePath, long DataOffset, long ByteLength)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
