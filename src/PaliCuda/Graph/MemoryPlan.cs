namespace PaliCuda.Graph;

/// <summary>
/// Arena placement of a graph's activations. A buffer occupies its slot from the op that writes it to the last op
/// that reads it (or to the end, for buffers kept alive as taps/outputs); slots are reused first-fit afterwards.
/// </summary>
public sealed class MemoryPlan
{
    /// <summary>Slot alignment: 256 bytes suits GPU loads and keeps CPU rows cache-line aligned.</summary>
    public const int Alignment = 256;

    public IReadOnlyDictionary<BufferId, long> Offsets { get; }
    /// <summary>Arena size: the peak of simultaneously live activation bytes (after alignment).</summary>
    public long PeakBytes { get; }
    /// <summary>What the activations would take without reuse.</summary>
    public long UnplannedBytes { get; }

    private MemoryPlan(IReadOnlyDictionary<BufferId, long> offsets, long peak, long unplanned)
    {
        Offsets = offsets;
        PeakBytes = peak;
        UnplannedBytes = unplanned;
    }

    public static MemoryPlan Create(ComputeGraph graph, IReadOnlySet<BufferId> keepAlive, Func<BufferDesc, long>? byteSize = null)
    {
        var lastUse = new Dictionary<BufferId, int>();
        for (var i = 0; i < graph.Ops.Count; i++)
        {
            foreach (var b in graph.Ops[i].Inputs) lastUse[b] = i;
            foreach (var b in graph.Ops[i].Outputs) lastUse.TryAdd(b, i);
        }
        foreach (var b in keepAlive) lastUse[b] = int.MaxValue;

        var offsets = new Dictionary<BufferId, long>();
        var live = new List<(long Offset, long Size, BufferId Id)>();
        long peak = 0, unplanned = 0;
        for (var i = 0; i < graph.Ops.Count; i++)
        {
            foreach (var o in graph.Ops[i].Outputs)
            {
                var d = graph[o];
                if (d.Kind != BufferKind.Activation || offsets.ContainsKey(o)) continue;
                var size = AlignUp(byteSize?.Invoke(d) ?? d.ByteSize);
                unplanned += size;
                var offset = FirstFit(live, size);
                offsets[o] = offset;
                live.Add((offset, size, o));
                live.Sort((a, b) => a.Offset.CompareTo(b.Offset));
                peak = Math.Max(peak, offset + size);
            }
            live.RemoveAll(s => lastUse[s.Id] <= i);
        }
        return new MemoryPlan(offsets, peak, unplanned);
    }

    private static long FirstFit(List<(long Offset, long Size, BufferId Id)> liveSorted, long size)
    {
        long cursor = 0;
        foreach (var s in liveSorted)
        {
            if (s.Offset - cursor >= size) return cursor;
            cursor = Math.Max(cursor, s.Offset + s.Size);
        }
        return cursor;
    }

    private static long AlignUp(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;
}
