namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>What the fusion pass did to one graph: how many of each fused op it made and why it left candidates alone.</summary>
public sealed record FusionReport(IReadOnlyDictionary<string, int> Fused, IReadOnlyList<string> Skipped, int OpsBefore, int OpsAfter)
{
    public override string ToString() =>
        $"{OpsBefore} ops → {OpsAfter}: " + string.Join(", ", Fused.Select(kv => $"{kv.Value}× {kv.Key}"))
        + (Skipped.Count > 0 ? $"; not fused: {string.Join("; ", Skipped)}" : "");
}
