using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Elementwise Y = A + B (same shapes; residual connections, position embeddings).</summary>
public sealed record AddOp(BufferId A, BufferId B, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [A, B];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Add";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.Add(t(A), t(B), t(Y));
}
