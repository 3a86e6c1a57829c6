using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// Y[r] = the token drawn from X[r, 0 : Limit] (capped logits) with the controls of row r (Controls: F32 [rows, 4] =
/// u, temperature, top-k, top-p; see <see cref="SampleControls"/>), I32 output. The controls are read at run time, so one
/// recorded graph samples with any parameters. <see cref="TokenSampler"/> defines the draw; ids ≥ Limit and NaN logits
/// are never chosen.
/// </summary>
public sealed record SampleOp(BufferId X, int Limit, BufferId Controls, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Controls];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Sample";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.Sample(t(X), Limit, t(Controls), t(Y));
}
