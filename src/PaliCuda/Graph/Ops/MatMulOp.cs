using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>HF Linear: Y[m, n] = Σ_k X[m, k]·W[n, k] (+ Bias[n]). W is [out, in] row-major.</summary>
public sealed record MatMulOp(BufferId X, BufferId W, BufferId? Bias, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => Bias is { } b ? [X, W, b] : [X, W];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "MatMul";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) =>
        backend.MatMul(t(X), t(W), Bias is { } b ? t(b) : null, t(Y));
}
