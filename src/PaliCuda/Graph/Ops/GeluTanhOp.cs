using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Y = 0.5·X·(1 + tanh(√(2/π)·(X + 0.044715·X³))) (torch gelu approximate="tanh").</summary>
public sealed record GeluTanhOp(BufferId X, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "GeluTanh";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.GeluTanh(t(X), t(Y));
}
