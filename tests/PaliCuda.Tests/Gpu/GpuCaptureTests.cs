using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Gpu;

/// <summary>The decode step captured once into a device graph and replayed per token, on the emulated device.</summary>
public class GpuCaptureTests
{
    [Test]
    public void ACapturedGemmRunsOnlyOnReplayAndReadsTheOperandsThen()
    {
        using var h = new GpuOpHarness(GpuTarget.Emulated, 19_000);
        var x = h.Pair(h.Normal(3 * 8), [3, 8]);
        var w = h.Pair(h.Normal(5 * 8), [5, 8]);
        var y = h.Outputs([3, 5]);
        using var graph = h.Gpu.Capture(() => h.Gpu.MatMul(x.Gpu, w.Gpu, null, y.Gpu))!;
        Assert.That(graph.NodeCount, Is.EqualTo(1), "one GEMM node");
        Assert.That(h.Read(h.Gpu, y.Gpu), Has.All.NaN, "capture records, it does not run");

        graph.Replay();
        h.Cpu.MatMul(x.Cpu, w.Cpu, null, y.Cpu);
        GpuOpHarness.AssertClose("replayed GEMM", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);

        // New operand values after capture are what the replay multiplies.
        var fresh = h.Normal(3 * 8);
        h.Gpu.Write(x.Gpu, fresh);
        graph.Replay();
        var x2 = h.Pair(fresh, [3, 8]);
        h.Cpu.MatMul(x2.Cpu, w.Cpu, null, y.Cpu);
        GpuOpHarness.AssertClose("replay after new inputs", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);
    }

    [Test]
    public void ReplayedDecodeStepsEqualIssuedOnesBitForBit()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var config = checkpoint.Config;
        var model = new PaliGemmaModel(config);
        var random = new Random(4343);
        TestContext.Out.WriteLine("seed 4343");
        var pixels = Enumerable.Range(0, config.Vision.NumChannels * config.Vision.ImageSize * config.Vision.ImageSize)
            .Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var prompt = Enumerable.Repeat(config.ImageTokenIndex, config.NumImageTokens).Concat([2, 30, 41]).ToArray();
        const int steps = 6;
        var capacity = prompt.Length + steps;

        (List<float[]> Logits, List<int> Tokens, int? Nodes, double HostMicroseconds) Decode(bool capture)
        {
            using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
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
            first.Run();
            var token = first.ReadInt(PaliGemmaModel.NextToken)[0];
            using var step = new Executor(decode, weights, state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]) { CaptureAfterFirstRun = capture };
            step.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
            var logits = new List<float[]>();
            var tokens = new List<int>();
            var host = new List<double>();
            for (var s = 0; s < steps; s++)
            {
                step.SetInput(PaliGemmaModel.InputIds, [token]);
                step.SetInput(PaliGemmaModel.CachePosition, [prompt.Length + s]);
                step.Run();
                logits.Add(step.ReadFloat(PaliGemmaModel.LastLogits));
                token = step.ReadInt(PaliGemmaModel.NextToken)[0];
                tokens.Add(token);
                if (s > 0) host.Add(HostMicroseconds(gpu, step, token, prompt.Length + s));
            }
            TestContext.Out.WriteLine($"capture={capture}: host µs per step [{string.Join(", ", host.Select(v => v.ToString("F0")))}]");
            return (logits, tokens, step.CapturedNodeCount, host.Skip(1).Average());
        }

        var issued = Decode(capture: false);
        var replayed = Decode(capture: true);
        Assert.That(issued.Nodes, Is.Null);
        Assert.That(replayed.Nodes, Is.GreaterThan(20), "the decode step is one graph of every launch and GEMM");
        Assert.That(replayed.Tokens, Is.EqualTo(issued.Tokens));
        for (var s = 0; s < steps; s++) Assert.That(replayed.Logits[s], Is.EqualTo(issued.Logits[s]), $"step {s} logits, bit for bit");
        TestContext.Out.WriteLine($"decode graph: {replayed.Nodes} nodes; host work per step (emulated device, device time excluded): "
            + $"issued op by op {issued.HostMicroseconds:F0} µs, replayed graph {replayed.HostMicroseconds:F0} µs");
    }

    /// <summary>
    /// Host time of one decode step without device time: the input writes, plus queuing the step's work measured while
    /// the stream captures (the emulator then only records, as a GPU stream only queues). The recording is discarded.
    /// </summary>
    private static double HostMicroseconds(GpuBackend gpu, Executor step, int token, int position)
    {
        var clock = Stopwatch.StartNew();
        step.SetInput(PaliGemmaModel.InputIds, [token]);
        step.SetInput(PaliGemmaModel.CachePosition, [position]);
        clock.Stop();
        using var discarded = gpu.Capture(() =>
        {
            clock.Start();
            if (step.CapturedNodeCount is null) step.IssueOps();
            else step.Run();
            clock.Stop();
        });
        return clock.Elapsed.TotalMicroseconds;
    }
}
