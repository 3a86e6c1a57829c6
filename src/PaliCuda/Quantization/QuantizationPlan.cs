using PaliCuda.Checkpoint;

namespace PaliCuda.Quantization;

/// <summary>
/// The weight format of each model part. Only the 2-D linear weights of a part (attention and MLP projections, the
/// projector, the embedding table) take an integer/fp8 format; every other tensor of a part with a quantized or bf16
/// format (norms, biases, the patch convolution, position embeddings) is rounded to bf16, which is what the GPU stores.
/// </summary>
/// <remarks>
/// Defaults (<see cref="ForWeights"/>): SigLIP and the projector stay bf16 — they run once per image in prefill, where
/// the GEMMs are compute-bound and quantization only costs accuracy; the decoder takes the requested format; the tied
/// embedding / LM head takes int8 rows for int4 (its rows are gathered one at a time, and as LM head it is the largest
/// decode read: int8 halves it with per-row scales that stay exact for the gather).
/// </remarks>
public sealed record QuantizationPlan(WeightFormat Vision, WeightFormat Projector, WeightFormat Decoder, WeightFormat Embedding)
{
    /// <summary>The plan <c>--weights <paramref name="format"/></c> means.</summary>
    public static QuantizationPlan ForWeights(WeightFormat format) => format switch
    {
        WeightFormat.F32 => new(WeightFormat.F32, WeightFormat.F32, WeightFormat.F32, WeightFormat.F32),
        WeightFormat.BF16 => new(WeightFormat.BF16, WeightFormat.BF16, WeightFormat.BF16, WeightFormat.BF16),
        WeightFormat.Int4 => new(WeightFormat.BF16, WeightFormat.BF16, WeightFormat.Int4, WeightFormat.Int8),
        _ => new(WeightFormat.BF16, WeightFormat.BF16, format, format),
    };

    public WeightFormat this[ModelPart part] => part switch
    {
        ModelPart.Vision => Vision,
        ModelPart.Projector => Projector,
        ModelPart.Decoder => Decoder,
        ModelPart.Embedding => Embedding,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, "unknown model part"),
    };

    /// <summary>True when some tensor is stored packed (int8, int4 or fp8).</summary>
    public bool QuantizesAnything => Enum.GetValues<ModelPart>().Any(p => this[p].IsQuantized());

    /// <summary>The part a canonical tensor name belongs to; null for names outside the model (e.g. a stored LM head).</summary>
    public static ModelPart? PartOf(string name)
    {
        if (name == PaliGemmaWeightNames.EmbedTokens) return ModelPart.Embedding;
        if (name.StartsWith(PaliGemmaWeightNames.ProjectorPrefix, StringComparison.Ordinal)) return ModelPart.Projector;
        if (name.StartsWith(PaliGemmaWeightNames.VisionPrefix, StringComparison.Ordinal)) return ModelPart.Vision;
        if (name.StartsWith(PaliGemmaWeightNames.TextPrefix, StringComparison.Ordinal)) return ModelPart.Decoder;
        return null;
    }

    /// <summary>True for the [out, in] matrices a weight-only format applies to.</summary>
    public static bool IsLinearWeight(string name, int rank) =>
        rank == 2 && (name == PaliGemmaWeightNames.EmbedTokens || name == PaliGemmaWeightNames.ProjectorWeight
            || name.EndsWith("_proj.weight", StringComparison.Ordinal)
            || name.EndsWith(".fc1.weight", StringComparison.Ordinal) || name.EndsWith(".fc2.weight", StringComparison.Ordinal));

    /// <summary>The format tensor <paramref name="name"/> (of rank <paramref name="rank"/>) is stored in under this plan.</summary>
    public WeightFormat FormatFor(string name, int rank)
    {
        if (PartOf(name) is not { } part) return WeightFormat.F32;
        var format = this[part];
        if (format == WeightFormat.F32) return WeightFormat.F32;
        return format.IsQuantized() && IsLinearWeight(name, rank) ? format : WeightFormat.BF16;
    }

    /// <summary>"vision=bf16,projector=bf16,decoder=int4,embedding=int8" (the checkpoint metadata spelling).</summary>
    public override string ToString() =>
        string.Join(",", Enum.GetValues<ModelPart>().Select(p => $"{p.ToString().ToLowerInvariant()}={this[p].ToName()}"));

    /// <summary>Parses <see cref="ToString"/>'s form; every part must appear exactly once. Null when malformed.</summary>
    public static QuantizationPlan? TryParse(string text)
    {
        var formats = new Dictionary<ModelPart, WeightFormat>();
        foreach (var entry in text.Split(','))
        {
            var pair = entry.Split('=');
            if (pair.Length != 2 || !Enum.TryParse<ModelPart>(pair[0].Trim(), ignoreCase: true, out var part) || !Enum.IsDefined(part)
                || !WeightFormats.TryParse(pair[1].Trim(), out var format) || !formats.TryAdd(part, format))
                return null;
        }
        if (formats.Count != Enum.GetValues<ModelPart>().Length) return null;
        return new QuantizationPlan(formats[ModelPart.Vision], formats[ModelPart.Projector], formats[ModelPart.Decoder], formats[ModelPart.Embedding]);
    }
}
