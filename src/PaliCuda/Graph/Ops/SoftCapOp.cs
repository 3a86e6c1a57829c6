using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Y = Cap · tanh(X / Cap) (Gemma 2 final-logit soft cap).</summary>
public sealed record SoftCapOp(BufferId X, float Cap, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "SoftCap";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.SoftCap(t(X), Cap, t(Y));
}
