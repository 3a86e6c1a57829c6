using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Per row: Y = (X − mean) / sqrt(var + eps) · Gamma + Beta (biased variance, as torch LayerNorm).</summary>
public sealed record LayerNormOp(BufferId X, BufferId Gamma, BufferId Beta, float Eps, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Gamma, Beta];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "LayerNorm";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.LayerNorm(t(X), t(Gamma), t(Beta), Eps, t(Y));
}
