using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// Y = X · Factor, or X / Factor when <paramref name="Divide"/> (HF divides image features by √hidden; a division
/// is not bit-identical to multiplying by a rounded reciprocal, so the op keeps the distinction).
/// </summary>
public sealed record ScaleOp(BufferId X, float Factor, bool Divide, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Scale";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.Scale(t(X), Factor, Divide, t(Y));
}
