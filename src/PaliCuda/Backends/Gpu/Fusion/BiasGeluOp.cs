using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// GeluTanh(X + Bias) after a bias-free GEMM, in place of a GEMM with bias followed by GeluTanh. Differs from the
/// unfused pair by one extra bf16 rounding (the GEMM output before the bias is added).
/// </summary>
public sealed record BiasGeluOp(BufferId X, BufferId Bias, BufferId Y) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, Bias];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "BiasGelu";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) => gpu.BiasGeluTanh(t(X), t(Bias), t(Y));
}
