using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// tiny-pg2 prefilled on a GPU target, then decoded greedily for a few steps with the decode step either issued op by
/// op or captured once and replayed: what the capture tests compare.
/// </summary>
internal static class TinyDecodeRun
{
    public const int Steps = 6;
    private const int Seed = 4343;

    public sealed record Result(List<float[]> Logits, List<int> Tokens, int? Nodes, List<double> HostMicroseconds);

    /// <param name="afterStep">Called after each step with the backend, the step executor, the next token, the step
    /// index and the step's cache position; returns a host-time measurement in µs to record, or null.</param>
    public static Result Run(GpuTarget target, bool capture, Func<GpuBackend, Executor, int, int, int, double?>? afterStep = null)
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var config = checkpoint.Config;
        var model = new PaliGemmaModel(config);
        var random = new Random(Seed);
        TestContext.Out.WriteLine($"seed {Seed}");
        var pixels = Enumerable.Range(0, config.Vision.NumChannels * config.Vision.ImageSize * config.Vision.ImageSize)
            .Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var prompt = Enumerable.Repeat(config.ImageTokenIndex, config.NumImageTokens).Concat([2, 30, 41]).ToArray();
        var capacity = prompt.Length + Steps;

        using var gpu = GpuTargets.CreateBackend(target);
        using var weights = new WeightSet(gpu);
        var prefill = model.RecordPrefill(prompt.Length, capacity, allLogits: false);
        var decode = model.RecordDecode(capacity);
        weights.Load(checkpoint.Weights, prefill, decode);
        using var state = new StateSet(gpu);
        using var first = new Executor(prefill, weights, state, [PaliGemmaModel.NextToken]);
        first.SetInput(PaliGemmaModel.PixelValues, pixels);
        first.SetInput(PaliGemmaModel.InputIds, prompt);
        first.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, prompt.Length).ToArray());
        first.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
        first.SetInput(PaliGemmaModel.PromptLength, [prompt.Length]);
        first.Run();
        var token = first.ReadInt(PaliGemmaModel.NextToken)[0];
        using var step = new Executor(decode, weights, state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]) { CaptureAfterFirstRun = capture };
        step.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
        var result = new Result([], [], null, []);
        for (var s = 0; s < Steps; s++)
        {
            step.SetInput(PaliGemmaModel.InputIds, [token]);
            step.SetInput(PaliGemmaModel.CachePosition, [prompt.Length + s]);
            step.Run();
            result.Logits.Add(step.ReadFloat(PaliGemmaModel.LastLogits));
            token = step.ReadInt(PaliGemmaModel.NextToken)[0];
            result.Tokens.Add(token);
            if (afterStep?.Invoke(gpu, step, token, s, prompt.Length + s) is { } micros) result.HostMicroseconds.Add(micros);
        }
        return result with { Nodes = step.CapturedNodeCount };
    }
}
