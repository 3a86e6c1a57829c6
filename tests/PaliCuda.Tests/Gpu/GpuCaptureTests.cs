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
        TinyDecodeRun.Result Decode(bool capture)
        {
            var run = TinyDecodeRun.Run(GpuTarget.Emulated, capture,
                (gpu, step, token, s, position) => s > 0 ? HostMicroseconds(gpu, step, token, position) : null);
            TestContext.Out.WriteLine($"capture={capture}: host µs per step [{string.Join(", ", run.HostMicroseconds.Select(v => v.ToString("F0")))}]");
            return run;
        }

        var issued = Decode(capture: false);
        var replayed = Decode(capture: true);
        Assert.That(issued.Nodes, Is.Null);
        Assert.That(replayed.Nodes, Is.GreaterThan(20), "the decode step is one graph of every launch and GEMM");
        Assert.That(replayed.Tokens, Is.EqualTo(issued.Tokens));
        for (var s = 0; s < TinyDecodeRun.Steps; s++) Assert.That(replayed.Logits[s], Is.EqualTo(issued.Logits[s]), $"step {s} logits, bit for bit");
        TestContext.Out.WriteLine($"decode graph: {replayed.Nodes} nodes; host work per step (emulated device, device time excluded): "
            + $"issued op by op {issued.HostMicroseconds.Skip(1).Average():F0} µs, replayed graph {replayed.HostMicroseconds.Skip(1).Average():F0} µs");
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
