using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// SoftCap(X) → Capped; Sample(Capped, Limit, Controls) → Ids in one kernel (fp32): the capped row is written once and
/// the sampling passes re-read it, so the ids are the ones the separate ops would draw; ids ≥ Limit are never produced.
/// The sampling controls (<see cref="SampleControls"/>) are read from device memory when the kernel runs.
/// </summary>
public sealed record SoftCapSampleOp(BufferId X, float Cap, int Limit, BufferId Controls, BufferId Capped, BufferId Ids) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Controls];
    public override IReadOnlyList<BufferId> Outputs => [Capped, Ids];
    public override string Kind => "SoftCapSample";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) =>
        gpu.SoftCapSample(t(X), Cap, Limit, t(Capped), t(Controls), t(Ids));
}
