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
    /// <summary>The raw little-endian bytes of the tensor.</summary>
    ReadOnlySpan<byte> GetBytes(string name);
    /// <summary>The tensor converted to float32 (from F32, BF16 or F16), row-major.</summary>
    float[] ReadFloat32(string name);
}
