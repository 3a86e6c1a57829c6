namespace PaliCuda.Checkpoint;

/// <summary>Maps tensor names of the newer transformers layout onto the canonical (4.47) names.</summary>
public static class CheckpointNameMapping
{
    /// <summary>Newer prefix → canonical prefix. The first matching row wins.</summary>
    private static readonly (string Newer, string Canonical)[] PrefixTable =
    [
        ("model.vision_tower.", "vision_tower."),
        ("model.multi_modal_projector.", "multi_modal_projector."),
        ("model.language_model.", "language_model.model."),
        ("lm_head.", "language_model.lm_head."),
    ];

    /// <summary>The canonical name for a newer-layout name, or null when no row applies.</summary>
    public static string? ToCanonical(string newerName)
    {
        foreach (var (newer, canonical) in PrefixTable)
            if (newerName.StartsWith(newer, StringComparison.Ordinal))
                return canonical + newerName[newer.Length..];
        return null;
    }

    /// <summary>Decides the layout from the names: any name with a newer-layout prefix means the newer layout, and then every name must have one.</summary>
    public static CheckpointLayout Detect(IEnumerable<string> names, string location)
    {
        string? newer = null, old = null;
        foreach (var name in names)
        {
            if (ToCanonical(name) is not null) newer ??= name;
            else old ??= name;
        }
        if (newer is not null && old is not null)
            throw new CheckpointFormatException(
                $"checkpoint mixes tensor-name layouts: '{newer}' is the newer transformers layout, '{old}' is not", location);
        return newer is not null ? CheckpointLayout.TransformersNew : CheckpointLayout.Transformers4;
    }
}
