using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// After one q|k|v GEMM: Rope on q → QOut, Rope on k and both k and v into the KV cache, in one kernel. Equal to
/// Rope(q), Rope(k), KvCacheWrite(k), KvCacheWrite(v) on the three column blocks.
/// </summary>
public sealed record QkvRopeCacheOp(BufferId Qkv, BufferId CachePositions, int PositionOffset, int NumHeads, int NumKvHeads, int HeadDim,
    float Theta, BufferId QOut, BufferId KeyCache, BufferId ValueCache) : FusedOp
{
    public override IReadOnlyList<BufferId> Inputs => [Qkv, CachePositions];
    public override IReadOnlyList<BufferId> Outputs => [QOut, KeyCache, ValueCache];
    public override string Kind => "QkvRopeCache";
    protected override void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> t) =>
        gpu.QkvRopeCache(t(Qkv), t(CachePositions), PositionOffset, NumHeads, NumKvHeads, HeadDim, Theta, t(QOut), t(KeyCache), t(ValueCache));
}
