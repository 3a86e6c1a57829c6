using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// SoftCap(X) → Capped; Sample(Capped, Limit, Uniform) → Ids in one kernel (fp32): the capped row is written once and
/// the sampling passes re-read it, so the ids are the ones the separate ops would draw; ids ≥ Limit are never produced.
/// </summary>
public sealed record SoftCapSampleOp(BufferId X, float Cap, int Limit, BufferId Uniform, SampleParameters Parameters, BufferId Capped, BufferId Ids) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Uniform];
    public override IReadOnlyList<BufferId> Outputs => [Capped, Ids];
    public override string Kind => "SoftCapSample";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) =>
        gpu.SoftCapSample(t(X), Cap, Limit, t(Capped), t(Uniform), Parameters, t(Ids));
}
