using PaliCuda.Config;

namespace PaliCuda.Benchmarking;

/// <summary>
/// The shapes every op runs at inside a model: SigLIP's encoder over all patches, the Gemma 2 decoder's prefill over
/// the whole prompt (image tokens + <see cref="BenchmarkModels.PromptTextTokens"/>; prefix lengths 256+, 1024+, 4096+
/// at 224/448/896 px) and one decode step whose KV cache holds that prompt.
/// </summary>
public static class ShapeCatalog
{
    /// <summary>Shapes of the released models (SigLIP shapes once per resolution), without duplicates.</summary>
    public static IReadOnlyList<OpShape> Released() => Distinct(BenchmarkModels.Released.SelectMany(m => ForModel(m.Name, m.Config)));

    /// <summary>Shapes of the scaled-down config: what the CPU and the emulator run.</summary>
    public static IReadOnlyList<OpShape> Tiny() => Distinct(ForModel(BenchmarkModels.TinyName, BenchmarkModels.Tiny));

    /// <summary>Released shapes on a CUDA device, tiny ones elsewhere.</summary>
    public static IReadOnlyList<OpShape> ForDevice(Generation.DeviceKind device) => device == Generation.DeviceKind.Cuda ? Released() : Tiny();

    public static IEnumerable<OpShape> ForModel(string name, PaliGemmaConfig config)
    {
        var v = config.Vision;
        var t = config.Text;
        var n = v.NumPatches;
        var vision = $"siglip-{v.ImageSize}";
        yield return OpShape.Of(KernelOps.MatMul, $"{vision} qkv/out proj", ("m", n), ("n", v.HiddenSize), ("k", v.HiddenSize));
        yield return OpShape.Of(KernelOps.MatMul, $"{vision} fc1", ("m", n), ("n", v.IntermediateSize), ("k", v.HiddenSize));
        yield return OpShape.Of(KernelOps.MatMul, $"{vision} fc2", ("m", n), ("n", v.HiddenSize), ("k", v.IntermediateSize));
        yield return OpShape.Of(KernelOps.LayerNorm, $"{vision} layernorm", ("rows", n), ("cols", v.HiddenSize));
        yield return OpShape.Of(KernelOps.AttentionPrefill, $"{vision} attention",
            ("q", n), ("kv", n), ("heads", v.NumHeads), ("kv_heads", v.NumHeads), ("head_dim", v.HeadDim), ("causal", 0));

        var p = BenchmarkModels.PromptLength(config);
        foreach (var (phase, rows) in new[] { ("prefill", p), ("decode", 1) })
        {
            var where = $"{name} {phase}";
            yield return OpShape.Of(KernelOps.MatMul, $"{where} q proj", ("m", rows), ("n", t.QueryDim), ("k", t.HiddenSize));
            yield return OpShape.Of(KernelOps.MatMul, $"{where} k/v proj", ("m", rows), ("n", t.KeyValueDim), ("k", t.HiddenSize));
            yield return OpShape.Of(KernelOps.MatMul, $"{where} o proj", ("m", rows), ("n", t.HiddenSize), ("k", t.QueryDim));
            yield return OpShape.Of(KernelOps.MatMul, $"{where} gate/up proj", ("m", rows), ("n", t.IntermediateSize), ("k", t.HiddenSize));
            yield return OpShape.Of(KernelOps.MatMul, $"{where} down proj", ("m", rows), ("n", t.HiddenSize), ("k", t.IntermediateSize));
            yield return OpShape.Of(KernelOps.RmsNorm, $"{where} rmsnorm", ("rows", rows), ("cols", t.HiddenSize));
            yield return OpShape.Of(KernelOps.AddRmsNorm, $"{where} add+rmsnorm", ("rows", rows), ("cols", t.HiddenSize));
            yield return OpShape.Of(KernelOps.GeGlu, $"{where} geglu", ("rows", rows), ("cols", t.IntermediateSize));
            yield return OpShape.Of(KernelOps.Rope, $"{where} rope q", ("rows", rows), ("heads", t.NumHeads), ("head_dim", t.HeadDim));
        }
        yield return OpShape.Of(KernelOps.MatMul, $"{name} lm head (last row)", ("m", 1), ("n", t.VocabSize), ("k", t.HiddenSize));
        yield return OpShape.Of(KernelOps.AttentionPrefill, $"{name} prefill attention",
            ("q", p), ("kv", p), ("heads", t.NumHeads), ("kv_heads", t.NumKeyValueHeads), ("head_dim", t.HeadDim), ("causal", 1));
        yield return OpShape.Of(KernelOps.AttentionDecode, $"{name} decode attention",
            ("q", 1), ("kv", p), ("heads", t.NumHeads), ("kv_heads", t.NumKeyValueHeads), ("head_dim", t.HeadDim));
    }

    /// <summary>The first shape of <paramref name="op"/> for a device: what <c>kernels compare</c> uses without --shape.</summary>
    public static OpShape DefaultFor(string op, Generation.DeviceKind device) =>
        ForDevice(device).FirstOrDefault(s => s.Op == op)
        ?? throw new ArgumentException($"no catalogued shape for op '{op}'", nameof(op));

    private static List<OpShape> Distinct(IEnumerable<OpShape> shapes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. shapes.Where(s => seen.Add(s.Op + "|" + s.DimsText))];
    }
}
