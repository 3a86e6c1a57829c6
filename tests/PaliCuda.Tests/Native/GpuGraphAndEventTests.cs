using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>Stream capture into graphs, replay, in-place update, and event timing.</summary>
[TestFixture]
[Category("Gpu")]
public class GpuGraphAndEventTests
{
    private const int Count = 8192;
    private const uint ThreadsPerBlock = 256;

    [Test]
    public void CapturedGraphReplaysAgainstCurrentMemoryAndAcceptsUpdates()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        using var module = CudaModule.LoadPtx(context, TestKernels.Ptx);
        var add = module.GetFunction(TestKernels.AddName);
        using var stream = CudaStream.Create(context);
        using var a = DeviceBuffer.Allocate(context, Count * sizeof(float));
        using var b = DeviceBuffer.Allocate(context, Count * sizeof(float));
        using var c = DeviceBuffer.Allocate(context, Count * sizeof(float));
        using var d = DeviceBuffer.Allocate(context, Count * sizeof(float));
        using var arguments = new KernelArguments(4);

        using var graph = Capture(stream, add, arguments, a, b, c);
        Assert.That(stream.CaptureStatus, Is.EqualTo(StreamCaptureStatus.None));
        using var exec = graph.Instantiate();

        for (var replay = 0; replay < 2; replay++)
        {
            var hostA = RandomFloats(random);
            var hostB = RandomFloats(random);
            a.CopyFromHost<float>(hostA);
            b.CopyFromHost<float>(hostB);
            exec.Launch(stream);
            stream.Synchronize();
            AssertSums(c, hostA, hostB, $"replay {replay}");
        }

        // Re-capture with the output redirected to d; the topology is unchanged, so an update must apply.
        using var redirected = Capture(stream, add, arguments, a, b, d);
        var updated = exec.TryUpdate(redirected, out var outcome);
        TestContext.Out.WriteLine($"update supported: {CudaGraphExec.IsUpdateSupported}, outcome {outcome}");
        if (!CudaGraphExec.IsUpdateSupported)
        {
            Assert.That(updated, Is.False);
            Assert.That(outcome, Is.EqualTo(GraphExecUpdateResult.ErrorNotSupported));
            return;
        }

        Assert.That(updated, Is.True);
        Assert.That(outcome, Is.EqualTo(GraphExecUpdateResult.Success));
        var newA = RandomFloats(random);
        var newB = RandomFloats(random);
        a.CopyFromHost<float>(newA);
        b.CopyFromHost<float>(newB);
        c.Fill32(0);
        exec.Launch(stream);
        stream.Synchronize();
        AssertSums(d, newA, newB, "after update");
        var untouched = new float[Count];
        c.CopyToHost<float>(untouched);
        Assert.That(untouched, Is.All.EqualTo(0f), "the updated graph still wrote to the old output");
    }

    [Test]
    public void EventsTimeQueuedWork()
    {
        using var context = GpuRequired.ContextOrIgnore();
        using var module = CudaModule.LoadPtx(context, TestKernels.Ptx);
        var add = module.GetFunction(TestKernels.AddName);
        using var stream = CudaStream.Create(context);
        using var buffer = DeviceBuffer.Allocate(context, Count * sizeof(float));
        buffer.Fill32(0);
        using var arguments = new KernelArguments(4);
        arguments.SetPointer(0, buffer).SetPointer(1, buffer).SetPointer(2, buffer).SetInt(3, Count);
        using var start = CudaEvent.Create(context);
        using var end = CudaEvent.Create(context);
        using var untimed = CudaEvent.Create(context, enableTiming: false);

        start.Record(stream);
        for (var i = 0; i < 20; i++)
        {
            add.Launch(Dim3.GridFor(Count, ThreadsPerBlock), ThreadsPerBlock, 0, stream, arguments);
        }

        end.Record(stream);
        untimed.Record(stream);
        end.Synchronize();
        var milliseconds = CudaEvent.ElapsedMilliseconds(start, end);
        TestContext.Out.WriteLine($"20 launches: {milliseconds:F4} ms");
        Assert.That(milliseconds, Is.GreaterThan(0f).And.LessThan(10_000f));
        Assert.That(start.IsCompleted && end.IsCompleted, Is.True);
        untimed.Synchronize();
        Assert.Throws<InvalidOperationException>(() => CudaEvent.ElapsedMilliseconds(start, untimed));
    }

    private static CudaGraph Capture(CudaStream stream, CudaFunction add, KernelArguments arguments, DeviceBuffer a, DeviceBuffer b, DeviceBuffer output)
    {
        stream.BeginCapture();
        Assert.That(stream.CaptureStatus, Is.EqualTo(StreamCaptureStatus.Active));
        arguments.SetPointer(0, a).SetPointer(1, b).SetPointer(2, output).SetInt(3, Count);
        add.Launch(Dim3.GridFor(Count, ThreadsPerBlock), ThreadsPerBlock, 0, stream, arguments);
        return stream.EndCapture();
    }

    private static void AssertSums(DeviceBuffer output, float[] a, float[] b, string when)
    {
        var result = new float[Count];
        output.CopyToHost<float>(result);
        for (var i = 0; i < Count; i++)
        {
            Assert.That(result[i], Is.EqualTo(a[i] + b[i]), $"{when}, element {i}");
        }
    }

    private static float[] RandomFloats(Random random) =>
        Enumerable.Range(0, Count).Select(_ => (float)(random.NextDouble() * 10 - 5)).ToArray();
}
