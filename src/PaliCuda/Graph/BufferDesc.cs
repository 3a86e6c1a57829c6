namespace PaliCuda.Graph;

/// <summary>A graph buffer: its name (for weights, the checkpoint tensor name), row-major shape, element type and kind.</summary>
public sealed record BufferDesc(BufferId Id, string Name, int[] Shape, BufferDType DType, BufferKind Kind)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteSize => ElementCount * DType.ElementBytes();
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    public override string ToString() => $"{Name} {DType}{ShapeText} ({Kind})";
}
