using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// Multi-head attention of Q [queries, heads·head_dim] over K/V (layout in <see cref="AttentionParams.Layout"/>) into
/// Y [queries, heads·head_dim]. For the KV-cache layout, <paramref name="QueryPositions"/> (I32 [queries]) gives each
/// query's cache position and <paramref name="PrefixLength"/> (I32 [1]) the prompt length, both read at run time so
/// one recorded decode graph serves every step.
/// </summary>
public sealed record AttentionOp(BufferId Q, BufferId K, BufferId V, BufferId? QueryPositions, BufferId? PrefixLength, AttentionParams Params, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs =>
        QueryPositions is { } qp && PrefixLength is { } pl ? [Q, K, V, qp, pl] : [Q, K, V];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "Attention";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) =>
        backend.Attention(t(Q), t(K), t(V), QueryPositions is { } qp ? t(qp) : null, PrefixLength is { } pl ? t(pl) : null, Params, t(Y));
}
