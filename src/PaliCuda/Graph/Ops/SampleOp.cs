using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// Y[r] = the token drawn from X[r, 0 : Limit] (capped logits) with temperature, top-k and top-p
/// (<see cref="Parameters"/>) and the uniform value Uniform[r] in [0, 1) (I32 output). <see cref="TokenSampler"/>
/// defines the draw; ids ≥ Limit and NaN logits are never chosen.
/// </summary>
public sealed record SampleOp(BufferId X, int Limit, BufferId Uniform, SampleParameters Parameters, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Uniform];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Sample";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.Sample(t(X), Limit, t(Uniform), Parameters, t(Y));
}
