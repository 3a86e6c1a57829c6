using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Gemma RMSNorm per row: Y = X · rsqrt(mean(X²) + eps) · (1 + Weight).</summary>
public sealed record RmsNormOp(BufferId X, BufferId Weight, float Eps, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Weight];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "RmsNorm";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.RmsNorm(t(X), t(Weight), Eps, t(Y));
}
