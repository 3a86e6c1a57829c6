using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Cache[h, CachePositions[t], :] = Source[t, h·head_dim : (h+1)·head_dim] for every kv head h.</summary>
public sealed record KvCacheWriteOp(BufferId Source, BufferId CachePositions, BufferId Cache) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [Source, CachePositions];
    public override IReadOnlyList<BufferId> Outputs => [Cache];
    public override string Kind => "KvCacheWrite";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.KvCacheWrite(t(Source), t(CachePositions), t(Cache));
}
