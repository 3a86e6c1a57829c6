using PaliCuda.Backends;
using PaliCuda.Graph.Ops;

namespace PaliCuda.Graph;

/// <summary>
/// Decides how each buffer of a graph is stored on a backend: I32 stays I32; a float buffer takes the backend's
/// <see cref="IBackend.FloatStorage"/>, except that every float buffer an op with <see cref="IBackend.KeepsFloat32"/>
/// touches stays F32, and a row slice (or the row a GatherLastRow picks) shares the storage type of the buffer it is cut from (both ways), so the
/// logits keep full precision from the LM-head GEMM through the soft cap and the slice to the argmax.
/// Weights are stored as the backend's upload decides and are not covered here.
/// </summary>
public static class StorageTypes
{
    public static BufferDType[] For(ComputeGraph graph, IBackend backend)
    {
        var floatStorage = backend.FloatStorage;
        var result = graph.Buffers.Select(d => d.DType == BufferDType.F32 ? floatStorage : d.DType).ToArray();
        if (floatStorage == BufferDType.F32) return result;

        var keep = new HashSet<BufferId>();
        foreach (var op in graph.Ops.Where(backend.KeepsFloat32))
            foreach (var b in op.Inputs.Concat(op.Outputs))
                if (graph[b].DType == BufferDType.F32) keep.Add(b);
        var slices = graph.Ops.Select(o => o switch
        {
            SliceRowsOp s => (s.X, s.Y),
            GatherLastRowOp r => (r.X, r.Y),
            _ => ((BufferId, BufferId)?)null,
        }).OfType<(BufferId X, BufferId Y)>().ToList();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (x, y) in slices)
                if (keep.Contains(x) != keep.Contains(y))
                    changed |= keep.Add(x) | keep.Add(y);
        }
        foreach (var b in keep)
            if (graph[b].Kind != BufferKind.Weight) result[b.Index] = BufferDType.F32;
        return result;
    }
}
