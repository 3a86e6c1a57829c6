using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>GeGlu over the output [rows, 2·cols] of one gate|up GEMM; equal to GeGlu(gate, up) on the two halves.</summary>
public sealed record GeGluFusedOp(BufferId GateUp, BufferId Y) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [GateUp];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "GeGluFused";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) => gpu.GeGluFused(t(GateUp), t(Y));
}
