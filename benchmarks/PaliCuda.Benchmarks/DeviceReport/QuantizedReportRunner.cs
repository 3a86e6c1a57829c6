using System.Globalization;
using System.Text;
using System.Text.Json;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;
using PaliCuda.Quantization;

namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>
/// <c>device-report --weights int8,int4</c>: each model with random weights, first in bf16 and then packed at load in
/// each format, on the same device: top-1 agreement with bf16 at every prefill position and over the greedy tokens,
/// weight and peak device memory, decode ms/token, and the fraction of the quantized decode floor (the bytes a step
/// must read — packed decoder weights and scales, the LM head, the KV cache — over the measured copy bandwidth).
/// Writes quantized-report.json / .md after every format, so a run cut off by its time limit still leaves results.
/// </summary>
public static class QuantizedReportRunner
{
    public static int Run(DeviceKind device, IReadOnlyList<string> models, IReadOnlyList<WeightFormat> formats, int decodeTokens, string outDir, TextWriter output)
    {
        DeviceCeilings ceilings;
        using (var target = BenchmarkTarget.Create(device)) ceilings = DeviceCeilings.MeasureFor(target);
        output.WriteLine($"ceilings on {ceilings.Device}: {ceilings.GigabytesPerSecond:G4} GB/s copy");
        var results = new List<QuantizedTiming>();
        foreach (var model in models)
        {
            var config = BenchmarkModels.ByName(model);
            var floor = ModelFloor.For(model, config);
            var bf16 = Measure(device, model, config, floor, ceilings, null, decodeTokens, null, output);
            results.Add(bf16.Timing);
            Write(outDir, device, ceilings, results, output: null);
            foreach (var format in formats)
            {
                results.Add(Measure(device, model, config, floor, ceilings, QuantizationPlan.ForWeights(format), decodeTokens, bf16, output).Timing);
                Write(outDir, device, ceilings, results, output: null);
            }
        }
        Write(outDir, device, ceilings, results, output);
        return results.Any(r => r.Error is not null) ? 1 : 0;
    }

    private sealed record Measured(QuantizedTiming Timing, int[] PrefillTop1, int[] Greedy);

    private static Measured Measure(DeviceKind device, string model, Config.PaliGemmaConfig config, ModelFloor floor, DeviceCeilings ceilings,
        QuantizationPlan? plan, int decodeTokens, Measured? baseline, TextWriter output)
    {
        var label = plan is null ? "bf16" : $"{plan.Decoder.ToName()} (embedding {plan.Embedding.ToName()})";
        try
        {
            using var target = BenchmarkTarget.Create(device);
            using var run = new EndToEndRun(target, config, decodeTokens, weights: plan, allLogits: true);
            output.WriteLine($"{model} {label}: loaded, {run.WeightBytes / 1048576.0:F0} MiB of weights");
            run.TimeToFirstToken();
            var ttft = run.TimeToFirstToken();
            var top1 = run.PrefillTop1();
            // The greedy continuation: the first token from the prefill, then decodeTokens − 1 steps.
            var greedy = new List<int> { ttft.Token };
            for (var i = 1; i < decodeTokens; i++) greedy.Add(run.DecodeStep().Token);
            // Timing pass (the decode graph is warm now); the step positions start over, which does not change the work.
            run.TimeToFirstToken();
            var steps = Enumerable.Range(0, decodeTokens - 1).Select(_ => run.DecodeStep()).ToList();
            var decodeBytes = floor.DecodeBytes - (double)floor.DecoderParameters * ModelFloor.WeightBytes + run.DecodeWeightBytes;
            var reference = baseline ?? new Measured(null!, top1, [.. greedy]);
            var timing = new QuantizedTiming(model, label, run.WeightBytes, run.DecodeWeightBytes, run.PeakDeviceBytes, ttft.DeviceMs,
                DeviceTimer.Median([.. steps.Select(s => s.WallMs)]), DeviceTimer.Median([.. steps.Select(s => s.DeviceMs)]),
                1e3 * decodeBytes / ceilings.BytesPerSecond,
                top1.Zip(reference.PrefillTop1).Count(p => p.First == p.Second), top1.Length,
                greedy.Zip(reference.Greedy).Count(p => p.First == p.Second), greedy.Zip(reference.Greedy).TakeWhile(p => p.First == p.Second).Count(),
                greedy.Count, null);
            return new Measured(timing, top1, [.. greedy]);
        }
        catch (Exception e)
        {
            output.WriteLine($"{model} {label}: failed: {e.GetType().Name}: {e.Message}");
            var failed = new QuantizedTiming(model, label, 0, 0, null, double.NaN, double.NaN, double.NaN, double.NaN, 0, 0, 0, 0, 0, $"{e.GetType().Name}: {e.Message}");
            return new Measured(failed, baseline?.PrefillTop1 ?? [], baseline?.Greedy ?? []);
        }
    }

    private static void Write(string outDir, DeviceKind device, DeviceCeilings ceilings, IReadOnlyList<QuantizedTiming> results, TextWriter? output)
    {
        File.WriteAllText(Path.Combine(outDir, "quantized-report.json"), JsonSerializer.Serialize(new { device = device.ToString().ToLowerInvariant(), ceilings, results },
            new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"## Quantized weights on {ceilings.Device} ({device.ToString().ToLowerInvariant()}), copy ceiling {ceilings.GigabytesPerSecond:G4} GB/s");
        sb.AppendLine();
        sb.AppendLine("| model | weights | weight MiB | decode-read MiB | peak MiB | TTFT device ms | decode ms/tok (device) | floor ms/tok | floor / measured | prefill top-1 = bf16 | greedy = bf16 (prefix) | note |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in results)
        {
            var peak = r.PeakDeviceBytes is { } p ? (p / 1048576.0).ToString("F0", ci) : "-";
            sb.AppendLine(ci, $"| {r.Model} | {r.Weights} | {r.WeightBytes / 1048576.0:F1} | {r.DecodeWeightBytes / 1048576.0:F1} | {peak} | {r.TtftDeviceMs:F2} | {r.DecodeDeviceMs:F3} | {r.DecodeFloorMs:F3} | {r.FractionOfFloor:P0} | {r.PrefillTop1Agreements}/{r.PrefillPositions} | {r.GreedyPositionsEqual}/{r.GreedyTokens} ({r.GreedyMatchingPrefix}) | {r.Error ?? ""} |");
        }
        File.WriteAllText(Path.Combine(outDir, "quantized-report.md"), sb.ToString());
        output?.Write(sb.ToString());
    }
}
