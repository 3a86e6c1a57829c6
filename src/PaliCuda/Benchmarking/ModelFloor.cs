using System.Globalization;
using System.Text;
using PaliCuda.Config;

namespace PaliCuda.Benchmarking;

/// <summary>
/// The least time a model's prefill and decode step can take on a device with given ceilings, batch 1, bf16 weights.
/// <list type="bullet">
/// <item>Decode step: every decoder weight is read once (the tied embedding as the LM head, in full) plus the KV cache
/// the step attends (sliding layers at most the window): bytes over measured bandwidth. Its FLOPs (2 per weight) are
/// negligible at batch 1.</item>
/// <item>Prefill: 2 FLOPs per weight per token through SigLIP (all patches), the projector and the decoder (all prompt
/// tokens), plus attention (4·d per query-key pair per head), plus the LM head for the last row: FLOPs over the measured
/// GEMM rate; bytes (all weights once) over bandwidth; the floor is the larger.</item>
/// </list>
/// </summary>
public sealed record ModelFloor(string Model, int PromptLength, long VisionParameters, long DecoderParameters, double DecodeBytes, double PrefillFlops, double PrefillBytes)
{
    public const int WeightBytes = 2;
    public const int KvBytes = 2;

    public double DecodeFloorMs(DeviceCeilings c) => 1e3 * DecodeBytes / c.BytesPerSecond;
    public double PrefillFloorMs(DeviceCeilings c) => 1e3 * Math.Max(PrefillFlops / c.FlopsPerSecond, PrefillBytes / c.BytesPerSecond);

    /// <summary>The floor of <paramref name="config"/> for a benchmark prompt (<see cref="BenchmarkModels.PromptLength"/>).</summary>
    public static ModelFloor For(string name, PaliGemmaConfig config)
    {
        var v = config.Vision;
        var t = config.Text;
        long vd = v.HiddenSize, vi = v.IntermediateSize, n = v.NumPatches;
        long h = t.HiddenSize, inter = t.IntermediateSize, q = t.QueryDim, kv = t.KeyValueDim, vocab = t.VocabSize;
        var p = BenchmarkModels.PromptLength(config);

        var patch = vd * v.NumChannels * v.PatchSize * v.PatchSize + vd;
        var visionLayer = 4 * (vd * vd + vd) + (vd * vi + vi) + (vi * vd + vd) + 4 * vd;
        var visionParams = patch + n * vd + v.NumLayers * visionLayer + 2 * vd;
        var projector = vd * h + h;
        var decoderLayer = h * q + 2 * h * kv + q * h + 3 * h * inter + 4 * h;
        var decoderParams = vocab * h + t.NumLayers * decoderLayer + h;

        double kvRead = 0;
        for (var layer = 0; layer < t.NumLayers; layer++)
        {
            var keys = t.IsSlidingLayer(layer) ? Math.Min(p, t.SlidingWindow) : p;
            kvRead += 2.0 * keys * kv * KvBytes;
        }
        var decodeBytes = (double)decoderParams * WeightBytes + kvRead;

        var visionFlops = 2.0 * n * (patch + v.NumLayers * visionLayer) + v.NumLayers * 4.0 * n * n * vd;
        var projectorFlops = 2.0 * n * projector;
        double attention = 0;
        for (var layer = 0; layer < t.NumLayers; layer++)
        {
            var keys = t.IsSlidingLayer(layer) ? Math.Min(p, t.SlidingWindow) : p;
            attention += 4.0 * p * keys * q;
        }
        var decoderFlops = 2.0 * p * t.NumLayers * decoderLayer + attention + 2.0 * vocab * h;
        var prefillBytes = (double)(visionParams + projector + decoderParams) * WeightBytes;
        return new ModelFloor(name, p, visionParams + projector, decoderParams, decodeBytes, visionFlops + projectorFlops + decoderFlops, prefillBytes);
    }

    /// <summary>Every released shape.</summary>
    public static IReadOnlyList<ModelFloor> Released() => [.. BenchmarkModels.Released.Select(m => For(m.Name, m.Config))];

    /// <summary>A markdown table of the floors of <paramref name="floors"/> under <paramref name="ceilings"/>.</summary>
    public static string MarkdownTable(IEnumerable<ModelFloor> floors, DeviceCeilings ceilings)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"Ceilings: {ceilings.GigabytesPerSecond:F0} GB/s copy bandwidth, {ceilings.TeraflopsPerSecond:F0} TFLOP/s bf16 GEMM ({ceilings.Device}).");
        sb.AppendLine();
        sb.AppendLine("| model | prompt tokens | params (vision+proj / decoder) | decode bytes/step | decode floor ms/token | prefill TFLOP | prefill floor ms |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var f in floors)
        {
            sb.AppendLine(ci, $"| {f.Model} | {f.PromptLength} | {f.VisionParameters / 1e6:F0}M / {f.DecoderParameters / 1e9:F2}B | {f.DecodeBytes / 1e9:F2} GB | {f.DecodeFloorMs(ceilings):F2} | {f.PrefillFlops / 1e12:F2} | {f.PrefillFloorMs(ceilings):F2} |");
        }
        return sb.ToString();
    }
}
