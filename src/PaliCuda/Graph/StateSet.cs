using PaliCuda.Backends;

namespace PaliCuda.Graph;

/// <summary>
/// Buffers that outlive one graph run and are shared between graphs by name (the KV cache written by the prefill
/// graph and read and extended by the decode graph). Allocated zero-filled on first use.
/// </summary>
public sealed class StateSet : IDisposable
{
    private readonly Dictionary<string, DeviceTensor> _tensors = new(StringComparer.Ordinal);
    public IBackend Backend { get; }
    public long TotalBytes { get; private set; }

    public StateSet(IBackend backend) => Backend = backend;

    public DeviceTensor GetOrCreate(BufferDesc d) => GetOrCreate(d, d.DType);

    /// <summary>As <see cref="GetOrCreate(BufferDesc)"/>, stored as <paramref name="storage"/>.</summary>
    public DeviceTensor GetOrCreate(BufferDesc d, BufferDType storage)
    {
        if (_tensors.TryGetValue(d.Name, out var t))
        {
            if (!t.Shape.SequenceEqual(d.Shape))
                throw new GraphValidationException($"state '{d.Name}' is {t.ShapeText} here but {d.ShapeText} in another graph");
            return t;
        }
        var bytes = d.ElementCount * storage.ElementBytes();
        var mem = Backend.Allocate(bytes, d.Name);
        t = new DeviceTensor(mem, 0, d.Shape, storage, d.Name);
        _tensors[d.Name] = t;
        TotalBytes += bytes;
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Memory.Dispose();
        _tensors.Clear();
    }
}
