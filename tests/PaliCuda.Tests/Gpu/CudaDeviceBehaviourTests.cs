using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Checkpoint;
using PaliCuda.Devices.Cuda;
using PaliCuda.Graph;
using PaliCuda.Kernels;
using PaliCuda.Model;
using PaliCuda.Tests.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// What only a real GPU shows and the emulator does not model: the driver's per-thread current context, cuBLAS inside
/// a stream capture, module JIT reuse, and the decode graph replayed by the driver.
/// </summary>
[TestFixture]
[Category("Gpu")]
public class CudaDeviceBehaviourTests
{
    [Test]
    public void EveryEntryPointWorksFromAThreadWhereTheContextIsNotCurrent()
    {
        using var h = new GpuOpHarness(GpuTarget.Cuda, 31_000);
        var x = h.Pair(h.Normal(4 * 64), [4, 64]);
        var w = h.Pair(h.Normal(64), [64]);
        var y = h.Outputs([4, 64]);
        h.Cpu.RmsNorm(x.Cpu, w.Cpu, 1e-6f, y.Cpu);
        float[]? gpu = null;
        double elapsed = -1;
        Exception? failure = null;
        // A fresh thread has no current context, as a thread-pool thread running a streaming generation step may not.
        var thread = new Thread(() =>
        {
            try
            {
                var device = h.Gpu.Device;
                using var start = device.CreateEvent();
                using var stop = device.CreateEvent();
                device.RecordEvent(start);
                h.Gpu.RmsNorm(x.Gpu, w.Gpu, 1e-6f, y.Gpu);
                device.RecordEvent(stop);
                h.Gpu.Synchronize();
                elapsed = stop.ElapsedMillisecondsSince(start);
                gpu = h.Read(h.Gpu, y.Gpu);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.That(failure, Is.Null, () => $"work issued from another thread failed: {failure}");
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(0), "event timing");
        GpuOpHarness.AssertClose("rmsnorm issued from another thread", h.Read(h.Cpu, y.Cpu), gpu!, Bf16Tolerance.SingleRounding);
    }

    [Test]
    public void AModuleIsCompiledOncePerDeviceAndOutlivesTheBackendThatLoadedIt()
    {
        float[] RunAdd(out int modules)
        {
            using var h = new GpuOpHarness(GpuTarget.Cuda, 32_000);
            var a = h.Pair(h.Normal(300), [300]);
            var b = h.Pair(h.Normal(300), [300]);
            var y = h.Outputs([300]);
            h.Gpu.Add(a.Gpu, b.Gpu, y.Gpu);
            h.Cpu.Add(a.Cpu, b.Cpu, y.Cpu);
            var result = h.Read(h.Gpu, y.Gpu);
            GpuOpHarness.AssertClose("add", h.Read(h.Cpu, y.Cpu), result, Bf16Tolerance.SingleRounding);
            modules = ((CudaDevice)h.Gpu.Device).LoadedModuleCount;
            return result;
        }

        var first = RunAdd(out var modulesAfterFirst);
        var second = RunAdd(out var modulesAfterSecond);
        Assert.That(modulesAfterSecond, Is.EqualTo(modulesAfterFirst), "the second backend reused the module the first one loaded");
        Assert.That(second, Is.EqualTo(first), "same seed, same kernel, same result");
    }

    /// <summary>On an sm_80 or sm_90 class device the engine's modules run the build's machine code; elsewhere they are JIT-compiled.</summary>
    [Test]
    public void TheEnginesModulesLoadTheirEmbeddedMachineCodeAndAskedForJitCompileThePtx()
    {
        using var h = new GpuOpHarness(GpuTarget.Cuda, 34_000);
        var device = (CudaDevice)h.Gpu.Device;
        foreach (var module in EmbeddedPtx.Modules) device.LoadModule(module, EmbeddedPtx.Load(module));
        var deviceName = h.Gpu.Device.Name;
        TestContext.Out.WriteLine(string.Join("\n", device.ModuleCode.Select(kv => $"{kv.Key}: {kv.Value}")));
        var expected = EmbeddedPtx.Modules.Select(m => KernelBinaryArchitecture.For(device.ComputeCapability.Major, device.ComputeCapability.Minor,
            EmbeddedPtx.BinaryArchitectures(m))).Distinct().Single();
        foreach (var module in EmbeddedPtx.Modules)
            Assert.That(device.ModuleCode[module], Is.EqualTo(expected is null ? "PTX JIT" : $"{expected} machine code"), $"{module} on {deviceName}");

        using var jit = CudaDevice.Open(jitPtx: true);
        jit.LoadModule("rmsnorm", EmbeddedPtx.Load("rmsnorm"));
        Assert.That(jit.ModuleCode["rmsnorm"], Is.EqualTo("PTX JIT (requested)"));
    }

    [Test]
    public void ACapturedGemmReplaysWithTheOperandsOfReplayTime()
    {
        using var h = new GpuOpHarness(GpuTarget.Cuda, 33_000);
        var x = h.Pair(h.Normal(3 * 64), [3, 64]);
        var w = h.Pair(h.Normal(40 * 64), [40, 64]);
        var y = h.Outputs([3, 40]);
        // When no GEMM ran on the device before (this test sorts first in its fixture), the cuBLAS handle and workspace are made as the capture begins.
        using var graph = h.Gpu.Capture(() => h.Gpu.MatMul(x.Gpu, w.Gpu, null, y.Gpu))!;
        Assert.That(graph.NodeCount, Is.GreaterThanOrEqualTo(1), "the GEMM's kernels are graph nodes");
        Assert.That(h.Read(h.Gpu, y.Gpu), Has.All.NaN, "capture records, it does not run");
        for (var replay = 0; replay < 3; replay++)
        {
            var fresh = h.Normal(3 * 64);
            h.Gpu.Write(x.Gpu, fresh);
            graph.Replay();
            var x2 = h.Pair(fresh, [3, 64]);
            h.Cpu.MatMul(x2.Cpu, w.Cpu, null, y.Cpu);
            GpuOpHarness.AssertClose($"replay {replay}", h.Read(h.Cpu, y.Cpu), h.Read(h.Gpu, y.Gpu), Bf16Tolerance.SingleRounding);
        }
    }

    [Test]
    public void TheCapturedDecodeStepReplaysTheIssuedStepsBitForBit()
    {
        TinyDecodeRun.Result Decode(bool capture) => TinyDecodeRun.Run(GpuTarget.Cuda, capture);

        var issued = Decode(capture: false);
        var replayed = Decode(capture: true);
        Assert.That(replayed.Nodes, Is.GreaterThan(20), "the decode step is one graph of every launch and GEMM");
        Assert.That(replayed.Tokens, Is.EqualTo(issued.Tokens));
        // Same kernels, same cuBLAS handle and workspace, same inputs on the same device: nothing may differ.
        for (var s = 0; s < TinyDecodeRun.Steps; s++) Assert.That(replayed.Logits[s], Is.EqualTo(issued.Logits[s]), $"step {s} logits, bit for bit");
        TestContext.Out.WriteLine($"decode graph: {replayed.Nodes} nodes");
    }
}
