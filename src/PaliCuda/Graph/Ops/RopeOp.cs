using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// Rotary embedding, rotate_half convention, on X [tokens, heads·head_dim]. Token t has position
/// p = CachePositions[t] + PositionOffset (PaliGemma: offset 1, positions are 1-based). For i &lt; head_dim/2:
/// inv_freq_i = Theta^(−2i/head_dim), a = p·inv_freq_i (float32, as HF);
/// y_i = x_i·cos a − x_{i+half}·sin a; y_{i+half} = x_{i+half}·cos a + x_i·sin a.
/// </summary>
public sealed record RopeOp(BufferId X, BufferId CachePositions, int PositionOffset, int NumHeads, int HeadDim, float Theta, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X, CachePositions];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Rope";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) =>
        backend.Rope(t(X), t(CachePositions), PositionOffset, NumHeads, HeadDim, Theta, t(Y));
}
