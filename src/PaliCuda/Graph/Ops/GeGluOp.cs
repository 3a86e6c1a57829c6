using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Gemma's gated MLP core: Y = gelu_tanh(Gate) ⊙ Up.</summary>
public sealed record GeGluOp(BufferId Gate, BufferId Up, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [Gate, Up];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "GeGlu";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.GeGlu(t(Gate), t(Up), t(Y));
}
