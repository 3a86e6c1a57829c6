using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;
using PaliCuda.Quantization;

namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>
/// <c>PaliCuda.Benchmarks device-report</c>: the measurements benchmarks/device/check.sh takes in its one call, without
/// BenchmarkDotNet's long statistics: the two ceilings, TTFT and decode ms/token per model (random weights), the floor
/// table under the measured ceilings, and optionally the check against a transformers reference. Writes
/// device-report.json and device-report.md into the output folder and prints the markdown. With
/// <c>--weights int8,int4</c> it runs <see cref="QuantizedReportRunner"/> instead.
/// </summary>
public static class DeviceReportRunner
{
    public static int Run(string[] args, TextWriter output)
    {
        var device = DeviceKind.Cuda;
        var models = new List<string>();
        string? reference = null;
        var outDir = ".";
        var decodeTokens = 32;
        var ttftRuns = 3;
        var formats = new List<WeightFormat>();
        var jitPtx = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--device": device = BackendFactory.Parse(Next()); break;
                case "--models": models.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--reference": reference = Next(); break;
                case "--out": outDir = Next(); break;
                case "--decode-tokens": decodeTokens = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--ttft-runs": ttftRuns = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                // The driver's JIT of the PTX instead of the build's machine code (to compare the two compilers' code).
                case "--jit-ptx": jitPtx = true; break;
                case "--weights":
                    foreach (var name in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        formats.Add(WeightFormats.TryParse(name, out var f) && f.IsQuantized()
                            ? f : throw new ArgumentException($"--weights: '{name}' is not a packed format (int8, int4, fp8)"));
                    break;
                default: throw new ArgumentException($"unknown device-report argument '{args[i]}'");
            }
        }
        if (models.Count == 0) models.Add(device == DeviceKind.Cuda ? "3b-224" : BenchmarkModels.TinyName);
        foreach (var m in models) BenchmarkModels.ByName(m);
        Directory.CreateDirectory(outDir);
        // --weights: the quantized comparison instead of the bf16 timing report (its own files: quantized-report.*).
        if (formats.Count > 0) return QuantizedReportRunner.Run(device, models, formats, decodeTokens, outDir, output);

        DeviceCeilings ceilings;
        using (var target = BenchmarkTarget.Create(device, jitPtx: jitPtx)) ceilings = DeviceCeilings.MeasureFor(target);
        output.WriteLine($"ceilings on {ceilings.Device}: {ceilings.GigabytesPerSecond:G4} GB/s copy, {ceilings.TeraflopsPerSecond:G4} TFLOP/s GEMM");

        var timings = models.Select(m => TimeModel(device, m, ceilings, decodeTokens, ttftRuns, jitPtx, output)).ToList();
        var tokenChoice = TimeTokenChoice(device, models[0], jitPtx, output);
        ReferenceCheckResult? check = reference is null ? null : ReferenceCheck.Run(reference, device);

        var report = new
        {
            device = device.ToString().ToLowerInvariant(),
            kernel_code = KernelCode(device, jitPtx),
            ceilings,
            models = timings,
            token_choice = tokenChoice,
            reference_check = check,
            floors = ModelFloor.Released(),
        };
        File.WriteAllText(Path.Combine(outDir, "device-report.json"),
            JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        var markdown = Markdown(device, ceilings, timings, check) + TokenChoiceMarkdown(tokenChoice) + $"\nKernel code: {KernelCode(device, jitPtx)}.\n";
        File.WriteAllText(Path.Combine(outDir, "device-report.md"), markdown);
        output.Write(markdown);
        var failed = timings.Any(t => t.Error is not null) || check is { Passed: false };
        return failed ? 1 : 0;
    }

    private static ModelTiming TimeModel(DeviceKind device, string model, DeviceCeilings ceilings, int decodeTokens, int ttftRuns, bool jitPtx, TextWriter output)
    {
        var config = BenchmarkModels.ByName(model);
        var floor = ModelFloor.For(model, config);
        try
        {
            var load = Stopwatch.StartNew();
            using var target = BenchmarkTarget.Create(device, jitPtx: jitPtx);
            using var run = new EndToEndRun(target, config, decodeTokens);
            var loadSeconds = load.Elapsed.TotalSeconds;
            output.WriteLine($"{model}: weights made and uploaded in {loadSeconds:F1} s");
            run.TimeToFirstToken();
            var ttft = Enumerable.Range(0, ttftRuns).Select(_ => run.TimeToFirstToken()).ToList();
            var decode = Enumerable.Range(0, decodeTokens).Select(_ => run.DecodeStep()).ToList();
            return new ModelTiming(model, run.PromptLength, loadSeconds,
                DeviceTimer.Median([.. ttft.Select(t => t.WallMs)]), DeviceTimer.Median([.. ttft.Select(t => t.DeviceMs)]),
                DeviceTimer.Median([.. ttft.Select(t => t.PreprocessMs)]),
                DeviceTimer.Median([.. decode.Select(t => t.WallMs)]), DeviceTimer.Median([.. decode.Select(t => t.DeviceMs)]),
                floor.PrefillFloorMs(ceilings), floor.DecodeFloorMs(ceilings), run.PeakDeviceBytes, null);
        }
        catch (Exception e)
        {
            output.WriteLine($"{model}: failed: {e.GetType().Name}: {e.Message}");
            return new ModelTiming(model, floor.PromptLength, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
                floor.PrefillFloorMs(ceilings), floor.DecodeFloorMs(ceilings), null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static string KernelCode(DeviceKind device, bool jitPtx) => device switch
    {
        DeviceKind.Cuda when jitPtx => "the driver's JIT of the PTX (--jit-ptx)",
        DeviceKind.Cuda => "the build's machine code on sm_80/sm_90 devices, the driver's JIT of the PTX on others",
        DeviceKind.Emulated => "the PTX, interpreted",
        _ => "none (the CPU reference)",
    };

    /// <summary>The token choice on the first model's vocabulary: every sampling setting beside the greedy argmax.</summary>
    private static IReadOnlyList<TokenChoiceTiming> TimeTokenChoice(DeviceKind device, string model, bool jitPtx, TextWriter output)
    {
        var config = BenchmarkModels.ByName(model);
        try
        {
            return TokenChoiceTimer.Measure(device, config.Text.VocabSize, Math.Min(config.Text.VocabSize, config.ImageTokenIndex),
                repetitions: device == DeviceKind.Cuda ? 50 : 2, jitPtx: jitPtx);
        }
        catch (Exception e)
        {
            output.WriteLine($"token choice timing failed: {e.GetType().Name}: {e.Message}");
            return [];
        }
    }

    public static string TokenChoiceMarkdown(IReadOnlyList<TokenChoiceTiming> timings)
    {
        if (timings.Count == 0) return "";
        var ci = CultureInfo.InvariantCulture;
        var greedy = timings[0].DeviceMicroseconds;
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(ci, $"Token choice at the end of a step (soft cap fused), one row of {timings[0].Vocabulary} logits, device µs (median):");
        sb.AppendLine();
        sb.AppendLine("| setting | µs | × argmax |");
        sb.AppendLine("| --- | ---: | ---: |");
        foreach (var t in timings)
            sb.AppendLine(ci, $"| {t.Setting} | {t.DeviceMicroseconds:F1} | {t.DeviceMicroseconds / greedy:F2} |");
        return sb.ToString();
    }

    public static string Markdown(DeviceKind device, DeviceCeilings c, IReadOnlyList<ModelTiming> timings, ReferenceCheckResult? check)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"## PaliCuda on {c.Device} ({device.ToString().ToLowerInvariant()})");
        sb.AppendLine();
        sb.AppendLine(ci, $"Ceilings measured in this run: copy {c.GigabytesPerSecond:G4} GB/s ({c.CopyBytes / 1048576} MiB, read + write), bf16 GEMM {c.TeraflopsPerSecond:G4} TFLOP/s ({c.GemmSize}³).");
        sb.AppendLine();
        sb.AppendLine("| model | prompt | TTFT wall ms | prefill device ms | prefill floor ms | decode wall ms/tok | decode device ms/tok | decode floor ms/tok | peak MiB | note |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in timings)
        {
            var peak = t.PeakDeviceBytes is { } p ? (p / 1048576.0).ToString("F0", ci) : "-";
            sb.AppendLine(ci, $"| {t.Model} | {t.PromptLength} | {t.TtftWallMs:F2} | {t.TtftDeviceMs:F2} | {t.PrefillFloorMs:F2} | {t.DecodeWallMs:F3} | {t.DecodeDeviceMs:F3} | {t.DecodeFloorMs:F3} | {peak} | {t.Error ?? ""} |");
        }
        if (check is not null)
        {
            sb.AppendLine();
            var line = check.Error is null
                ? string.Create(ci, $"reference check ({check.Folder}): logits rel err {check.LogitsRelativeError:E2} (bound {ReferenceCheck.LogitsRelativeBound:E2}), top-1 {check.Top1Agreements}/{check.Positions} positions, greedy {check.MatchingPrefix}/{check.ExpectedTokens.Length} tokens: {(check.Passed ? "PASS" : "FAIL")}")
                : $"reference check ({check.Folder}): ERROR {check.Error}";
            sb.AppendLine(line);
        }
        return sb.ToString();
    }
}
