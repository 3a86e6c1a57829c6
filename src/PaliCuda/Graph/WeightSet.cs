using PaliCuda.Backends;
using PaliCuda.Checkpoint;
using PaliCuda.Quantization;

namespace PaliCuda.Graph;

/// <summary>
/// The checkpoint weights the graphs use, placed on one backend once. A graph may view a weight with another shape
/// of the same element count (the conv patch kernel [D, C, P, P] is used as [D, C·P·P]).
/// </summary>
public sealed class WeightSet : IDisposable
{
    private readonly Dictionary<string, DeviceTensor> _tensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _views = new(StringComparer.Ordinal);
    public IBackend Backend { get; }
    public long TotalBytes { get; private set; }

    public WeightSet(IBackend backend) => Backend = backend;

    /// <summary>Uploads every weight any of <paramref name="graphs"/> declares and is not loaded yet.</summary>
    public void Load(ITensorStore store, params ComputeGraph[] graphs) => Load(store, progress: null, graphs);

    /// <summary>
    /// Uploads every weight the graphs use that is not loaded yet; <paramref name="progress"/> hears of each tensor
    /// placed (a 3B checkpoint is ~6 GB: callers show it).
    /// </summary>
    public void Load(ITensorStore store, IProgress<CheckpointLoadProgress>? progress, params ComputeGraph[] graphs)
    {
        var pending = graphs.SelectMany(g => g.OfKind(BufferKind.Weight)).Where(d => !_tensors.ContainsKey(d.Name))
            .DistinctBy(d => d.Name).ToList();
        var infos = pending.Select(d => store.Describe(d.Name)).ToList();
        var totalBytes = infos.Sum(i => i.ByteLength);
        long bytesDone = 0;
        Backend.ReserveWeights(pending);
        for (var n = 0; n < pending.Count; n++)
        {
            var d = pending[n];
            var info = infos[n];
            if (info.ElementCount != d.ElementCount || info.Shape.Length == 0 || info.Shape[0] != d.Shape[0])
                throw new CheckpointFormatException($"weight has shape [{string.Join(", ", info.Shape)}] but the model expects {d.ShapeText}", info.FilePath, d.Name);
            var t = Backend.UploadWeight(d.Name, store, d.Shape);
            _tensors[d.Name] = t;
            TotalBytes += t.StoredBytes;
            bytesDone += info.ByteLength;
            progress?.Report(new CheckpointLoadProgress(d.Name, n + 1, pending.Count, bytesDone, totalBytes));
        }
    }

    /// <summary>
    /// Registers <paramref name="name"/> as the row concatenation of the loaded weights <paramref name="parts"/> (all
    /// [rows_i, cols] with one cols) when they lie back to back in one memory block, as a view that costs nothing;
    /// otherwise returns false with the reason.
    /// </summary>
    public bool TryConcatenateRows(string name, IReadOnlyList<string> parts, out string reason)
    {
        reason = "";
        if (_tensors.ContainsKey(name)) return true;
        var tensors = new List<DeviceTensor>();
        foreach (var p in parts)
        {
            if (!_tensors.TryGetValue(p, out var t)) { reason = $"weight '{p}' is not loaded"; return false; }
            tensors.Add(t);
        }
        var first = tensors[0];
        for (var i = 1; i < tensors.Count; i++)
        {
            var prev = tensors[i - 1];
            var t = tensors[i];
            if (t.Memory != first.Memory || t.DType != first.DType || t.Cols != first.Cols || t.ByteOffset != prev.ByteOffset + prev.ByteLength)
            {
                reason = $"'{t.Name}' does not directly follow '{prev.Name}' in one memory block";
                return false;
            }
            if ((t.Packed is null) != (first.Packed is null) || (t.Packed is { } tp && first.Packed is { } fp && tp.Format != fp.Format))
            {
                reason = $"'{t.Name}' is stored as {Storage(t)}, '{first.Name}' as {Storage(first)}";
                return false;
            }
            if (t.Packed is { } scales && prev.Packed is { } prevScales
                && (scales.ScalesMemory != prevScales.ScalesMemory || scales.ScalesOffset != prevScales.ScalesOffset + prevScales.ScalesBytes))
            {
                reason = $"the scales of '{t.Name}' do not directly follow those of '{prev.Name}'";
                return false;
            }
        }
        _tensors[name] = first with
        {
            Shape = [tensors.Sum(t => t.Rows), first.Cols],
            Name = name,
            Packed = first.Packed is { } packed ? packed with { DataBytes = tensors.Sum(t => t.Packed!.DataBytes), ScalesBytes = tensors.Sum(t => t.Packed!.ScalesBytes) } : null,
        };
        _views.Add(name);
        return true;
    }

    private static string Storage(DeviceTensor t) => t.Packed is { } p ? p.Format.ToName() : t.DType.ToString();

    public DeviceTensor Get(BufferDesc d)
    {
        if (!_tensors.TryGetValue(d.Name, out var t))
            throw new InvalidOperationException($"weight '{d.Name}' was not loaded into this weight set");
        if (t.Shape.SequenceEqual(d.Shape)) return t;
        if (t.Packed is not null)
            throw new InvalidOperationException($"packed weight '{d.Name}' {t.ShapeText} cannot be viewed as {d.ShapeText}");
        return t with { Shape = d.Shape };
    }

    public void Dispose()
    {
        foreach (var m in _tensors.Where(kv => !_views.Contains(kv.Key)).Select(kv => kv.Value.Memory).Distinct()) m.Dispose();
        _tensors.Clear();
    }
}
