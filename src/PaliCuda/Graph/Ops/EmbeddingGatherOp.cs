using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Y[t, :] = Table[Ids[t], :]; ids outside [0, vocab) raise <see cref="ModelInputException"/>.</summary>
public sealed record EmbeddingGatherOp(BufferId Table, BufferId Ids, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [Table, Ids];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "EmbeddingGather";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.EmbeddingGather(t(Table), t(Ids), t(Y));
}
