using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Y[r] = the first index of the maximum of X[r, 0 : Limit] (I32). Limit excludes ids that may not be emitted.</summary>
public sealed record ArgMaxOp(BufferId X, int Limit, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "ArgMax";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.ArgMax(t(X), Limit, t(Y));
}
