using PaliCuda.Graph.Ops;

namespace PaliCuda.Graph;

/// <summary>
/// Checks the values of an I32 graph input on the host, before they are uploaded, against every op of the recorded
/// graph that uses them as indices: token ids against the embedding table, cache positions against the KV cache, the
/// image-token count against the feature rows, a row-selecting length against the rows it selects from. A GPU kernel
/// cannot throw, and one given an out-of-range index would write NaN or nothing; this raises the same
/// <see cref="ModelInputException"/> the CPU ops raise instead.
/// </summary>
public static class IndexInputValidation
{
    /// <summary>
    /// The ops of <paramref name="graph"/> that index with <paramref name="input"/>: a graph's few hundred ops reduce to
    /// one or two, so a caller that writes the input every step (the decode loop) finds them once.
    /// </summary>
    public static GraphOp[] OpsIndexingWith(ComputeGraph graph, BufferId input) => graph.Ops.Where(op => op switch
    {
        EmbeddingGatherOp g => g.Ids == input,
        KvCacheWriteOp w => w.CachePositions == input,
        GatherLastRowOp r => r.Length == input,
        ScatterImageFeaturesOp s => s.Ids == input,
        _ => false,
    }).ToArray();

    /// <summary>Checks <paramref name="values"/> against <paramref name="ops"/> (from <see cref="OpsIndexingWith"/>).</summary>
    public static void Check(ComputeGraph graph, IReadOnlyList<GraphOp> ops, BufferId input, ReadOnlySpan<int> values)
    {
        foreach (var op in ops)
        {
            switch (op)
            {
                case EmbeddingGatherOp g when g.Ids == input:
                    var vocab = graph[g.Table].Shape[0];
                    for (var t = 0; t < values.Length; t++)
                        if ((uint)values[t] >= (uint)vocab)
                            throw new ModelInputException($"token id {values[t]} at position {t} of '{graph[input].Name}' is outside the vocabulary of '{graph[g.Table].Name}' (size {vocab})");
                    break;
                case KvCacheWriteOp w when w.CachePositions == input:
                    var capacity = graph[w.Cache].Shape[1];
                    for (var t = 0; t < values.Length; t++)
                        if ((uint)values[t] >= (uint)capacity)
                            throw new ModelInputException($"cache position {values[t]} of token {t} is outside the KV cache '{graph[w.Cache].Name}' (capacity {capacity})");
                    break;
                case GatherLastRowOp r when r.Length == input:
                    var available = graph[r.X].Shape[0];
                    if (values[0] < 1 || values[0] > available)
                        throw new ModelInputException($"'{graph[input].Name}' = {values[0]} does not select a row of '{graph[r.X].Name}' (1..{available})");
                    break;
                case ScatterImageFeaturesOp s when s.Ids == input:
                    var count = 0;
                    foreach (var id in values) if (id == s.ImageTokenIndex) count++;
                    var rows = graph[s.Features].Shape[0];
                    if (count != rows)
                        throw new ModelInputException($"'{graph[input].Name}' holds {count} image tokens (id {s.ImageTokenIndex}) but the image gives {rows} feature rows");
                    break;
            }
        }
    }
}
