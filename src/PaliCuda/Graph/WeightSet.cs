using PaliCuda.Backends;
using PaliCuda.Checkpoint;

namespace PaliCuda.Graph;

/// <summary>
/// The checkpoint weights the graphs use, placed on one backend once. A graph may view a weight with another shape
/// of the same element count (the conv patch kernel [D, C, P, P] is used as [D, C·P·P]).
/// </summary>
public sealed class WeightSet : IDisposable
{
    private readonly Dictionary<string, DeviceTensor> _tensors = new(StringComparer.Ordinal);
    public IBackend Backend { get; }
    public long TotalBytes { get; private set; }

    public WeightSet(IBackend backend) => Backend = backend;

    /// <summary>Uploads every weight any of <paramref name="graphs"/> declares and is not loaded yet.</summary>
    public void Load(ITensorStore store, params ComputeGraph[] graphs)
    {
        var pending = graphs.SelectMany(g => g.OfKind(BufferKind.Weight)).Where(d => !_tensors.ContainsKey(d.Name))
            .DistinctBy(d => d.Name).ToList();
        Backend.ReserveWeights(pending.Sum(d => d.ElementCount));
        foreach (var d in pending)
        {
            var info = store.Describe(d.Name);
            if (info.ElementCount != d.ElementCount || info.Shape.Length == 0 || info.Shape[0] != d.Shape[0])
                throw new CheckpointFormatException($"weight has shape [{string.Join(", ", info.Shape)}] but the model expects {d.ShapeText}", info.FilePath, d.Name);
            var t = Backend.UploadWeight(d.Name, store.ReadFloat32(d.Name), d.Shape);
            _tensors[d.Name] = t;
            TotalBytes += t.ByteLength;
        }
    }

    public DeviceTensor Get(BufferDesc d)
    {
        if (!_tensors.TryGetValue(d.Name, out var t))
            throw new InvalidOperationException($"weight '{d.Name}' was not loaded into this weight set");
        return t.Shape.SequenceEqual(d.Shape) ? t : t with { Shape = d.Shape };
    }

    public void Dispose()
    {
        foreach (var m in _tensors.Values.Select(t => t.Memory).Distinct()) m.Dispose();
        _tensors.Clear();
    }
}
