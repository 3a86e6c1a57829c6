using System.Text.Json;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Verification;

/// <summary>
/// Runs a reference fixture folder (layout of tests/PaliCuda.Tests/Fixtures/tiny-pg2: a HF checkpoint plus
/// reference.json and reference.safetensors) through the engine and compares every recorded tensor, the prefill masks,
/// the greedy tokens and the per-step logits.
/// </summary>
public static class FixtureComparison
{
    public const string ReferenceJson = "reference.json";
    public const string ReferenceTensorsFile = "reference.safetensors";
    /// <summary>Recorded model inputs: fed to the engine, not compared.</summary>
    private static readonly HashSet<string> Inputs = ["pixel_values", "attention_mask"];

    /// <summary>
    /// The GPU backends' rule: weights and activations are bf16 (u = 2⁻⁸), so HF's fp32-vs-fp64 figure says nothing about
    /// them (multiple 0: every float tensor is judged on ‖Δ‖₂/‖ref‖₂). Independent roundings add like a random walk;
    /// tiny-pg2's deepest path rounds ≈ 40 tensors, √40·u ≈ 6.3u, bound 8u = 2⁻⁵.
    /// </summary>
    public static ToleranceRule Bf16 { get; } = new(0.0, 0.0, 8.0 / 256);

    /// <summary>The rule for a device: <see cref="ToleranceRule.Float32"/> on the CPU, <see cref="Bf16"/> on the GPU backends (emulated or CUDA).</summary>
    public static ToleranceRule ToleranceFor(DeviceKind device) => device == DeviceKind.Cpu ? ToleranceRule.Float32 : Bf16;

    /// <param name="gpuOptions">GPU backend settings (kernel variants) for the emulated and CUDA devices.</param>
    public static ComparisonReport Run(string fixtureDirectory, DeviceKind device = DeviceKind.Cpu, ToleranceRule? tolerance = null, CancellationToken cancellationToken = default,
        Backends.Gpu.GpuBackendOptions? gpuOptions = null)
    {
        tolerance ??= ToleranceFor(device);
        var jsonPath = Path.Combine(fixtureDirectory, ReferenceJson);
        if (!File.Exists(jsonPath)) throw new FixtureFormatException($"fixture folder has no {ReferenceJson}", jsonPath);
        var tensorsPath = Path.Combine(fixtureDirectory, ReferenceTensorsFile);
        if (!File.Exists(tensorsPath)) throw new FixtureFormatException($"fixture folder has no {ReferenceTensorsFile}", tensorsPath);

        using var reference = new ReferenceTensors(tensorsPath);
        var fixtureCases = FixtureCase.ReadAll(jsonPath, reference.Contains);
        using var engine = PaliGemmaEngine.Load(fixtureDirectory, new EngineOptions { Device = device, Gpu = gpuOptions });
        var cases = fixtureCases.Select(c => RunCase(engine, reference, c, tolerance, cancellationToken)).ToList();
        return new ComparisonReport(fixtureDirectory, engine.Backend.Name, tolerance, cases);
    }

    private static CaseComparison RunCase(PaliGemmaEngine engine, ReferenceTensors reference, FixtureCase c,
        ToleranceRule tolerance, CancellationToken ct)
    {
        var (name, prefix, inputIds, expected, observed, tensorNames) = (c.Name, c.TensorPrefix, c.InputIds, c.GeneratedIds, c.ObservedFp64Spread, c.TensorNames);
        var pixels = reference.Float(prefix + "pixel_values");

        var graph = engine.Model.RecordPrefill(inputIds.Length, inputIds.Length, allLogits: true);
        var taps = tensorNames.Where(t => graph.Names.TryGetValue(t, out var id)
            && graph[id] is { Kind: BufferKind.Activation, DType: BufferDType.F32 }).ToList();
        var prefill = engine.RunPrefill(pixels, inputIds, taps, ct);
        var generation = engine.Generate(pixels, inputIds,
            new GenerationOptions { MaxNewTokens = expected.Length, RecordStepLogits = true }, cancellationToken: ct);
        var matching = 0;
        while (matching < Math.Min(expected.Length, generation.TokenIds.Count) && expected[matching] == generation.TokenIds[matching]) matching++;

        var results = new List<TensorComparison>();
        foreach (var t in tensorNames)
        {
            if (Inputs.Contains(t)) continue;
            var refName = prefix + t;
            if (!reference.Contains(refName))
            {
                results.Add(new TensorComparison(t, 0, double.NaN, double.NaN, 0, null, false, "listed but missing from reference.safetensors"));
                continue;
            }
            observed.TryGetValue(t, out var o);
            double? obs = observed.ContainsKey(t) ? o : null;
            if (prefill.Taps.TryGetValue(t, out var actual))
                results.Add(CompareFloat(t, reference.Float(refName), actual, obs, tolerance));
            else if (t == "generate_step_logits")
                results.Add(CompareStepLogits(t, reference.Float(refName), generation.StepLogits!, matching, expected.Length, obs, tolerance));
            else if (t == "input_ids")
                results.Add(CompareExact(t, reference.Int(refName), inputIds));
            else if (t == "position_ids")
                results.Add(CompareExact(t, reference.Int(refName), Enumerable.Range(0, inputIds.Length).Select(i => i + Model.PaliGemmaModel.PositionOffset).ToArray()));
            else if (t == "generated_ids")
                results.Add(CompareExact(t, reference.Int(refName), [.. generation.TokenIds]));
            else if (t == "generate_sequences")
                results.Add(CompareExact(t, reference.Int(refName), [.. inputIds, .. generation.TokenIds]));
            else if (MaskLayer(engine, t) is { } layer)
            {
                var visibility = Flatten(engine.Model.Decoder.MaskFor(layer).PrefillVisibility(inputIds.Length));
                var refVisible = t.Contains("visible", StringComparison.Ordinal)
                    ? reference.Int(refName)
                    : reference.Float(refName).Select(m => m == 0f ? 1 : 0).ToArray();
                results.Add(CompareExact(t, refVisible, visibility));
            }
            else
                results.Add(new TensorComparison(t, 0, double.NaN, double.NaN, 0, obs, false, "not produced by the engine"));
        }
        return new CaseComparison(name, results, expected, generation.TokenIds, matching, prefill.Elapsed, prefill.PeakActivationBytes);
    }

    /// <summary>"prefill_(mask|visible)_sliding" → first sliding layer, "..._global" → first global layer.</summary>
    private static int? MaskLayer(PaliGemmaEngine engine, string tensor)
    {
        if (!tensor.StartsWith("prefill_mask_", StringComparison.Ordinal) && !tensor.StartsWith("prefill_visible_", StringComparison.Ordinal)) return null;
        var text = engine.Config.Text;
        var wantSliding = tensor.EndsWith("_sliding", StringComparison.Ordinal);
        if (!wantSliding && !tensor.EndsWith("_global", StringComparison.Ordinal)) return null;
        for (var i = 0; i < text.NumLayers; i++) if (text.IsSlidingLayer(i) == wantSliding) return i;
        return null;
    }

    public static TensorComparison CompareFloat(string name, float[] expected, float[] actual, double? observed, ToleranceRule tolerance)
    {
        if (expected.Length != actual.Length)
            return new TensorComparison(name, expected.Length, double.PositiveInfinity, double.PositiveInfinity, 0, observed, false,
                $"length {actual.Length} differs from the reference's {expected.Length}");
        double maxAbs = 0, diff2 = 0, ref2 = 0, maxRef = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, d);
            diff2 += d * d;
            ref2 += (double)expected[i] * expected[i];
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        var rel = ref2 > 0 ? Math.Sqrt(diff2 / ref2) : Math.Sqrt(diff2);
        if (observed is null || tolerance.ObservedMultiple == 0)
            return new TensorComparison(name, expected.Length, maxAbs, rel, tolerance.RelativeL2, null, rel <= tolerance.RelativeL2, "relative-L2 bound");
        var bound = tolerance.AbsoluteBound(observed, maxRef);
        return new TensorComparison(name, expected.Length, maxAbs, rel, bound, observed, maxAbs <= bound);
    }

    private static TensorComparison CompareStepLogits(string name, float[] expected, IReadOnlyList<float[]> steps, int matching, int expectedSteps,
        double? observed, ToleranceRule tolerance)
    {
        // Rows after the first differing token are conditioned on other inputs: compare up to and including it.
        var rows = Math.Min(steps.Count, Math.Min(expectedSteps, matching + 1));
        var vocab = expected.Length / Math.Max(1, expectedSteps);
        var cmp = CompareFloat(name, expected.AsSpan(0, rows * vocab).ToArray(), steps.Take(rows).SelectMany(s => s).ToArray(), observed, tolerance);
        return rows == expectedSteps ? cmp : cmp with { Passed = false, Note = $"only {rows} of {expectedSteps} steps comparable" };
    }

    private static TensorComparison CompareExact(string name, int[] expected, int[] actual)
    {
        var mismatches = expected.Length == actual.Length ? expected.Zip(actual).Count(p => p.First != p.Second) : Math.Max(expected.Length, actual.Length);
        var rel = expected.Length == 0 ? 0 : (double)mismatches / expected.Length;
        return new TensorComparison(name, expected.Length, mismatches == 0 ? 0 : 1, rel, 0, null, mismatches == 0,
            mismatches == 0 ? "exact" : $"{mismatches} entries differ");
    }

    private static int[] Flatten(bool[,] v)
    {
        var r = new int[v.Length];
        var k = 0;
        foreach (var b in v) r[k++] = b ? 1 : 0;
        return r;
    }
}
