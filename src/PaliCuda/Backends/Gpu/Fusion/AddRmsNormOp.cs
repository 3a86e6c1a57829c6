using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// RmsNorm(branch, post) → t; Add(residual, t) → H; RmsNorm(H, pre) → Y as one kernel (Gemma 2's sandwich norm and the
/// next pre-norm). The kernel rounds t and H to bf16 exactly where the separate ops store them, so it equals them.
/// </summary>
public sealed record AddRmsNormOp(BufferId Residual, BufferId Branch, BufferId PostWeight, BufferId PreWeight, float Eps, BufferId H, BufferId Y) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [Residual, Branch, PostWeight, PreWeight];
    public override IReadOnlyList<BufferId> Outputs => [H, Y];
    public override string Kind => "AddRmsNorm";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) =>
        gpu.AddRmsNorm(t(Residual), t(Branch), t(PostWeight), t(PreWeight), Eps, t(H), t(Y));
}
