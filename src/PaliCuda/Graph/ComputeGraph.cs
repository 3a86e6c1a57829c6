using PaliCuda.Graph.Ops;

namespace PaliCuda.Graph;

/// <summary>
/// A recorded model pass: buffers (weights, inputs, state, activations) and the op list over them, in execution order.
/// Several names may refer to one buffer (e.g. "hidden_states.2" and "layer_output.1").
/// </summary>
public sealed class ComputeGraph
{
    public IReadOnlyList<BufferDesc> Buffers { get; }
    public IReadOnlyList<GraphOp> Ops { get; }
    public IReadOnlyDictionary<string, BufferId> Names { get; }

    internal ComputeGraph(IReadOnlyList<BufferDesc> buffers, IReadOnlyList<GraphOp> ops, IReadOnlyDictionary<string, BufferId> names)
    {
        Buffers = buffers;
        Ops = ops;
        Names = names;
    }

    public BufferDesc this[BufferId id] => Buffers[id.Index];

    /// <summary>The buffer called <paramref name="name"/>; throws naming the missing buffer.</summary>
    public BufferDesc Find(string name) =>
        Names.TryGetValue(name, out var id)
            ? Buffers[id.Index]
            : throw new KeyNotFoundException($"graph has no buffer named '{name}'");

    public IEnumerable<BufferDesc> OfKind(BufferKind kind) => Buffers.Where(b => b.Kind == kind);
}
