using PaliCuda.Backends.Gpu;
using PaliCuda.Kernels;

namespace PaliCuda.Benchmarking;

/// <summary>
/// The ops the benchmarks, <c>palicuda kernels</c> and <c>palicuda kernels compare</c> know how to set up and time:
/// their dimensions, their variants (<see cref="KernelVariants"/> where the GPU backend registers several, else the
/// single "default") and the kernel entries each variant launches (for the ptxas register/spill report).
/// </summary>
public static class KernelOps
{
    public const string MatMul = "matmul";
    public const string RmsNorm = "rmsnorm";
    public const string AddRmsNorm = "add_rmsnorm";
    public const string LayerNorm = "layernorm";
    public const string GeGlu = "geglu";
    public const string Rope = "rope";
    public const string AttentionPrefill = KernelVariants.AttentionPrefill;
    public const string AttentionDecode = KernelVariants.AttentionDecode;
    public const string DefaultVariant = "default";

    private static readonly string[] AttentionDims = ["q", "kv", "heads", "kv_heads", "head_dim"];

    private static readonly Dictionary<string, (string[] Required, string[] Optional)> DimTable = new(StringComparer.Ordinal)
    {
        [MatMul] = (["m", "n", "k"], []),
        [RmsNorm] = (["rows", "cols"], []),
        [AddRmsNorm] = (["rows", "cols"], []),
        [LayerNorm] = (["rows", "cols"], []),
        [GeGlu] = (["rows", "cols"], []),
        [Rope] = (["rows", "heads", "head_dim"], []),
        // causal=1: Gemma's prefix-causal mask over a KV cache; 0: SigLIP's bidirectional attention.
        [AttentionPrefill] = (AttentionDims, ["causal"]),
        [AttentionDecode] = (AttentionDims, []),
    };

    /// <summary>Kernel entries per (op, variant) whose names do not follow the "palicuda_&lt;op&gt;_&lt;variant&gt;" pattern.</summary>
    private static readonly Dictionary<(string, string), string[]> KnownEntries = new()
    {
        [(MatMul, DefaultVariant)] = ["palicuda_broadcast_rows_bf16"],
        [(RmsNorm, DefaultVariant)] = ["palicuda_rmsnorm_bf16"],
        [(AddRmsNorm, DefaultVariant)] = ["palicuda_add_rmsnorm_bf16"],
        [(LayerNorm, DefaultVariant)] = ["palicuda_layernorm_bf16"],
        [(GeGlu, DefaultVariant)] = ["palicuda_geglu_bf16"],
        [(Rope, DefaultVariant)] = ["palicuda_rope_bf16"],
        [(AttentionPrefill, "reference")] = ["palicuda_attention_prefill_reference"],
        [(AttentionPrefill, "flash_mma")] = [.. new[] { 16, 32, 64, 80, 128, 256 }.Select(d => $"palicuda_attention_prefill_flash_d{d}")],
        [(AttentionDecode, "split_kv")] = ["palicuda_attention_decode_split", "palicuda_attention_decode_combine"],
        [(AttentionDecode, "reference")] = ["palicuda_attention_prefill_reference"],
    };

    /// <summary>Every op with a harness, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. DimTable.Keys];

    public static bool IsKnown(string op) => DimTable.ContainsKey(op);

    public static IReadOnlyList<string> RequiredDims(string op) => Table(op).Required;
    public static IReadOnlyList<string> OptionalDims(string op) => Table(op).Optional;

    /// <summary>Variant names of <paramref name="op"/>, the default first.</summary>
    public static IReadOnlyList<string> Variants(string op)
    {
        Table(op);
        return KernelVariants.All.TryGetValue(op, out var variants) ? [.. variants.Select(v => v.Name)] : [DefaultVariant];
    }

    public static string Description(string op, string variant) =>
        KernelVariants.All.TryGetValue(op, out var variants) && variants.FirstOrDefault(v => v.Name == variant) is { Name: not null } v
            ? v.Description
            : op == MatMul ? "cuBLAS bf16 GEMM, fp32 accumulate (a bias is seeded by a broadcast kernel)" : "the backend's only kernel";

    /// <summary>
    /// The GPU backend options that select <paramref name="variant"/> (empty for ops without registered variants).
    /// </summary>
    public static IReadOnlyDictionary<string, string> VariantChoice(string op, string variant) =>
        KernelVariants.All.ContainsKey(op) ? new Dictionary<string, string> { [op] = variant } : new Dictionary<string, string>();

    /// <summary>
    /// Kernel entries a variant launches: the known table, else every catalogue entry named like
    /// "palicuda_&lt;op with '.' as '_'&gt;…&lt;variant&gt;…" (so a newly registered variant is found by its name).
    /// </summary>
    public static IReadOnlyList<string> Entries(string op, string variant)
    {
        if (KnownEntries.TryGetValue((op, variant), out var known)) return known;
        var stem = "palicuda_" + op.Replace('.', '_');
        return [.. KernelCatalog.Entries.Select(e => e.Name).Where(n => n.StartsWith(stem, StringComparison.Ordinal) && n.Contains(variant, StringComparison.Ordinal))];
    }

    private static (string[] Required, string[] Optional) Table(string op) => DimTable.TryGetValue(op, out var t)
        ? t
        : throw new ArgumentException($"no benchmark harness for op '{op}'; known ops: {string.Join(", ", DimTable.Keys)}", nameof(op));
}
