namespace PaliCuda.Checkpoint;

/// <summary>
/// Read access to a set of named tensors (one safetensors file, or a sharded set). Names are the checkpoint's own.
/// Data is memory-mapped: spans stay valid until the store is disposed.
/// </summary>
public interface ITensorStore : IDisposable
{
    IReadOnlyCollection<string> Names { get; }
    bool TryDescribe(string name, out TensorInfo info);
    /// <summary>Throws <see cref="CheckpointFormatException"/> naming the tensor when it is absent.</summary>
    TensorInfo Describe(string name);
    /// <summary>
    /// The raw little-endian bytes of the tensor. A span holds at most 2^31 − 1 bytes: for a larger tensor (the 28B
    /// model's embedding is 2.4 GB in bf16) this throws <see cref="NotSupportedException"/>; use the ranged overload.
    /// </summary>
    ReadOnlySpan<byte> GetBytes(string name);
    /// <summary>The tensor converted to float32 (from F32, BF16 or F16), row-major.</summary>
    float[] ReadFloat32(string name);

    /// <summary>
    /// <paramref name="byteCount"/> raw bytes of the tensor starting <paramref name="byteOffset"/> bytes into it,
    /// for streaming tensors of any size. Throws <see cref="ArgumentOutOfRangeException"/> outside the tensor.
    /// </summary>
    ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount);
    /// <summary>
    /// Converts <c>destination.Length</c> elements starting at element <paramref name="firstElement"/> to float32
    /// (F32, BF16 or F16), for streaming large tensors in chunks.
    /// </summary>
    void ReadFloat32(string name, long firstElement, Span<float> destination);
}
