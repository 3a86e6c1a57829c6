using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// im2col for a stride = kernel convolution: Pixels [C, H, W] → Y [patches, C·P·P], patches in row-major grid
/// order, columns ordered (c, ky, kx) to match a conv weight [out, C, P, P] viewed as [out, C·P·P].
/// </summary>
public sealed record PatchifyOp(BufferId Pixels, int PatchSize, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [Pixels];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Patchify";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.Patchify(t(Pixels), PatchSize, t(Y));
}
