using PaliCuda.Quantization;

namespace PaliCuda.Checkpoint;

/// <summary>
/// Presents another store's tensors under different names (canonical name → name in the inner store). Owns the inner
/// store. Packed weights of an inner <see cref="IPackedWeightSource"/> are handed out under the outer names too.
/// </summary>
public sealed class RenamedTensorStore : ITensorStore, IPackedWeightSource
{
    private readonly ITensorStore _inner;
    private readonly Dictionary<string, string> _toInner;

    public RenamedTensorStore(ITensorStore inner, IReadOnlyDictionary<string, string> outerToInner)
    {
        _inner = inner;
        _toInner = new Dictionary<string, string>(outerToInner, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _toInner.Keys;

    public bool TryDescribe(string name, out TensorInfo info)
    {
        if (_toInner.TryGetValue(name, out var innerName) && _inner.TryDescribe(innerName, out var innerInfo))
        {
            info = innerInfo with { Name = name };
            return true;
        }
        info = null!;
        return false;
    }

    public TensorInfo Describe(string name) =>
        TryDescribe(name, out var info) ? info : throw new CheckpointFormatException("tensor not found", tensorName: name);

    public ReadOnlySpan<byte> GetBytes(string name) => _inner.GetBytes(Inner(name));
    public ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount) => _inner.GetBytes(Inner(name), byteOffset, byteCount);
    public float[] ReadFloat32(string name) => _inner.ReadFloat32(Inner(name));
    public void ReadFloat32(string name, long firstElement, Span<float> destination) => _inner.ReadFloat32(Inner(name), firstElement, destination);

    public QuantizedWeight? TryGetPacked(string name) =>
        _inner is IPackedWeightSource packed && _toInner.TryGetValue(name, out var inner) ? packed.TryGetPacked(inner) : null;

    private string Inner(string name) =>
        _toInner.TryGetValue(name, out var inner) ? inner : throw new CheckpointFormatException("tensor not found", tensorName: name);

    public void Dispose() => _inner.Dispose();
}
