using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// Y[0, :] = X[Length[0] − 1, :]: the last of the first Length rows, with Length (I32 [1]) read at run time. A prefill
/// recorded for a padded prompt picks the last real row with it, so one recorded (and captured) graph serves every
/// prompt length of its shape class. A length outside [1, rows(X)] raises <see cref="ModelInputException"/> (the GPU
/// kernel, which cannot throw, writes a NaN row; <see cref="IndexInputValidation"/> checks lengths written from the host).
/// </summary>
public sealed record GatherLastRowOp(BufferId X, BufferId Length, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Length];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "GatherLastRow";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.GatherLastRow(t(X), t(Length), t(Y));
}
