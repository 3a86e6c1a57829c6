using System.Runtime.InteropServices;
using PaliCuda.Checkpoint;

namespace PaliCuda.Quantization;

/// <summary>
/// A store that presents some tensors as float32 values computed from another store (dequantized or bf16-rounded);
/// the rest pass through unchanged. A computed tensor is described as F32 with its logical shape, and its bytes are
/// the float32 values, so every reader (shape checks, NaN scans, the weight upload) sees one consistent tensor.
/// </summary>
public abstract class ReconstructedTensorStore : ITensorStore
{
    protected ITensorStore Inner { get; }

    private readonly bool _ownsInner;

    /// <param name="ownsInner">False to leave <paramref name="inner"/> open when this store is disposed.</param>
    protected ReconstructedTensorStore(ITensorStore inner, bool ownsInner)
    {
        Inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>The logical description of a computed tensor, or null when <paramref name="name"/> passes through.</summary>
    protected abstract TensorInfo? DescribeComputed(string name);
    /// <summary>The float32 values of a computed tensor.</summary>
    protected abstract float[] Compute(string name, TensorInfo logical);

    public abstract IReadOnlyCollection<string> Names { get; }

    public bool TryDescribe(string name, out TensorInfo info)
    {
        if (DescribeComputed(name) is { } computed) { info = computed; return true; }
        return Inner.TryDescribe(name, out info);
    }

    public TensorInfo Describe(string name) =>
        TryDescribe(name, out var info) ? info : throw new CheckpointFormatException("tensor not found", tensorName: name);

    public float[] ReadFloat32(string name) =>
        DescribeComputed(name) is { } computed ? Compute(name, computed) : Inner.ReadFloat32(name);

    public void ReadFloat32(string name, long firstElement, Span<float> destination)
    {
        if (DescribeComputed(name) is not { } computed) { Inner.ReadFloat32(name, firstElement, destination); return; }
        var all = Compute(name, computed);
        if (firstElement < 0 || firstElement > all.Length - destination.Length)
            throw new ArgumentOutOfRangeException(nameof(firstElement), $"elements [{firstElement}, {firstElement + destination.Length}) are outside tensor '{name}' ({all.Length} elements)");
        all.AsSpan((int)firstElement, destination.Length).CopyTo(destination);
    }

    public ReadOnlySpan<byte> GetBytes(string name) =>
        DescribeComputed(name) is { } computed ? MemoryMarshal.AsBytes(Compute(name, computed).AsSpan()) : Inner.GetBytes(name);

    public ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount)
    {
        if (DescribeComputed(name) is not { } computed) return Inner.GetBytes(name, byteOffset, byteCount);
        var bytes = MemoryMarshal.AsBytes(Compute(name, computed).AsSpan());
        if (byteOffset < 0 || byteCount < 0 || byteOffset > bytes.Length - byteCount)
            throw new ArgumentOutOfRangeException(nameof(byteOffset), $"bytes [{byteOffset}, {byteOffset + byteCount}) are outside tensor '{name}' ({bytes.Length} bytes)");
        return bytes.Slice((int)byteOffset, byteCount);
    }

    public void Dispose()
    {
        if (_ownsInner) Inner.Dispose();
        GC.SuppressFinalize(this);
    }
}
