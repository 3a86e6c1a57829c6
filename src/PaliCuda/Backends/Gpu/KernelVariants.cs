namespace PaliCuda.Backends.Gpu;

/// <summary>
/// The kernel variants the GPU backend can run for an op, by op name; the first is the default.
/// <see cref="GpuBackendOptions.Variants"/> picks one by name; an unknown op or variant throws listing these.
/// </summary>
public static class KernelVariants
{
    public const string AttentionPrefill = "attention.prefill";
    public const string AttentionDecode = "attention.decode";

    /// <summary>Op name → variant names (default first) with a one-line description each.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Name, string Description)>> All { get; } =
        new Dictionary<string, IReadOnlyList<(string, string)>>(StringComparer.Ordinal)
        {
            [AttentionPrefill] =
            [
                ("flash_mma", "flash-attention-2: 64-query tiles per head, cp.async double-buffered K/V tiles, tensor-core Q·K and P·V (P in bf16)"),
                ("reference", "one warp per (query, head) row, online softmax in fp32, no score matrix"),
            ],
            [AttentionDecode] =
            [
                ("split_kv", "flash-decoding: keys split across blocks, partial softmax states combined by a second kernel"),
                ("reference", "the prefill kernel on the decode queries"),
            ],
        };

    /// <summary>The variant to run for <paramref name="op"/>: the chosen one if given, else the default.</summary>
    public static string Resolve(string op, IReadOnlyDictionary<string, string>? choices)
    {
        if (!All.TryGetValue(op, out var variants))
            throw new ArgumentException($"no kernel variants are registered for op '{op}'; known ops: {string.Join(", ", All.Keys)}");
        if (choices is null || !choices.TryGetValue(op, out var chosen)) return variants[0].Name;
        return variants.Any(v => v.Name == chosen)
            ? chosen
            : throw new ArgumentException($"op '{op}' has no kernel variant '{chosen}'; available: {string.Join(", ", variants.Select(v => v.Name))}");
    }

    /// <summary>Throws for any choice naming an unknown op or variant.</summary>
    public static void Validate(IReadOnlyDictionary<string, string> choices)
    {
        foreach (var op in choices.Keys) Resolve(op, choices);
    }
}
