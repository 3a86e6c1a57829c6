using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// HF masked_scatter: Y = Embeds, except that the k-th row whose id is <paramref name="ImageTokenIndex"/> becomes
/// Features[k]. The number of image-token rows must equal the number of feature rows.
/// </summary>
public sealed record ScatterImageFeaturesOp(BufferId Embeds, BufferId Ids, BufferId Features, int ImageTokenIndex, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [Embeds, Ids, Features];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "ScatterImageFeatures";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) =>
        backend.ScatterImageFeatures(t(Embeds), t(Ids), t(Features), ImageTokenIndex, t(Y));
}
