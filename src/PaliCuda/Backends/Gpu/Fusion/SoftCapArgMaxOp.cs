using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// SoftCap(X) → Capped; ArgMax(Capped, Limit) → Ids in one pass over the logits (fp32). The argmax compares the same
/// capped fp32 values the separate ops would, so the ids are equal; ids ≥ Limit are never produced.
/// </summary>
public sealed record SoftCapArgMaxOp(BufferId X, float Cap, int Limit, BufferId Capped, BufferId Ids) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [X];
    public override IReadOnlyList<BufferId> Outputs => [Capped, Ids];
    public override string Kind => "SoftCapArgMax";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) => gpu.SoftCapArgMax(t(X), Cap, Limit, t(Capped), t(Ids));
}
