using System.Text.Json;
using PaliCuda.Benchmarking;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Generation;
using PaliCuda.Model;

namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>
/// Checks the engine against a reference folder written by benchmarks/device/hf_reference.py (transformers in bf16 on
/// the same GPU): prefill logits relative error, top-1 agreement per prompt position, and the greedy tokens.
/// </summary>
public static class ReferenceCheck
{
    /// <summary>
    /// ‖Δ‖₂/‖ref‖₂ bound on the prefill logits: 8 bf16 roundoffs (2⁻⁸ each); both sides round every activation to bf16,
    /// at different points, through 27 SigLIP and 26 Gemma layers, so their difference is a few roundoffs, not one.
    /// </summary>
    public const double LogitsRelativeBound = 8.0 / 256;

    /// <summary>Fraction of positions whose argmax must agree: near-ties may flip under bf16 rounding, most may not.</summary>
    public const double Top1AgreementBound = 0.95;

    public static ReferenceCheckResult Run(string folder, DeviceKind device, CancellationToken cancellationToken = default)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "reference.json")));
            var c = doc.RootElement.GetProperty("cases")[0];
            var ids = c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var expected = c.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            float[] pixels, logits;
            using (var reference = SafetensorsFile.Open(Path.Combine(folder, "reference.safetensors")))
            {
                pixels = reference.ReadFloat32("pixel_values");
                logits = reference.ReadFloat32("logits");
            }

            var options = new EngineOptions
            {
                Device = device,
                // transformers 5 keeps the whole prompt visible through the sliding window; bf16 models round √hidden to bf16.
                WindowSemantics = SlidingWindowSemantics.WindowOrPrefix,
                NormalizerDType = NormalizerDType.BF16,
            };
            using var engine = PaliGemmaEngine.Load(folder, options);
            var prefill = engine.RunPrefill(pixels, ids, ["logits"], cancellationToken);
            var ours = prefill.Taps["logits"];
            var (rel, maxAbs) = VariantComparison.Errors(logits, ours);
            var vocab = logits.Length / ids.Length;
            var agree = 0;
            for (var pos = 0; pos < ids.Length; pos++)
                if (ArgMax(logits.AsSpan(pos * vocab, vocab)) == ArgMax(ours.AsSpan(pos * vocab, vocab))) agree++;
            var generated = engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = expected.Length }, cancellationToken: cancellationToken);
            var actual = generated.TokenIds.ToArray();
            var matching = 0;
            while (matching < Math.Min(expected.Length, actual.Length) && expected[matching] == actual[matching]) matching++;
            var passed = rel <= LogitsRelativeBound && agree >= Top1AgreementBound * ids.Length && matching == expected.Length;
            return new ReferenceCheckResult(folder, engine.Backend.Name, ids.Length, rel, maxAbs, agree, expected, actual, matching, passed, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ReferenceCheckResult(folder, device.ToString(), 0, double.NaN, double.NaN, 0, [], [], 0, false, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
