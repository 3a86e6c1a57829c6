using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class ControlAndWarpTests
{
    [Test]
    public void DivergentBranchesReconvergeAndComputeCorrectly()
    {
        const int threads = 64, n = 60;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "control", "divergence");
        var output = device.Allocate(threads * 4);
        device.Memset(output, 0xFF);
        var masks = device.Allocate(threads * 16);
        device.Launch(f, new LaunchConfig(1, threads), new KernelArguments().Add(output).Add(masks).Add(n));
        var o = device.Download<int>(output);
        var m = device.Download<uint>(masks);
        for (int t = 0; t < threads; t++)
        {
            int v = (t & 1) != 0 ? 10 + ((t & 2) != 0 ? 100 : 200) : 20;
            for (int i = 0; i < t % 5; i++) { v += i * 3; if (i == 2) continue; v ^= 1; }
            int k = t;
            while (k > 1) { k = (k & 1) != 0 ? 3 * k + 1 : k / 2; v++; }
            Assert.That(o[t], Is.EqualTo(t < n ? v : -1), $"thread {t}");
            // Inside the branches: exactly the lanes that took the same path.
            uint expectedInner = 0;
            for (int l = 0; l < 32; l++)
            {
                bool same = (l & 1) == (t & 1) && ((t & 1) == 0 || (l & 2) == (t & 2));
                if (same) expectedInner |= 1u << l;
            }
            Assert.That(m[t * 4 + 0], Is.EqualTo(expectedInner), $"branch mask, thread {t}");
            Assert.That(m[t * 4 + 1], Is.EqualTo(uint.MaxValue), $"after if/else, thread {t}");
            Assert.That(m[t * 4 + 2], Is.EqualTo(uint.MaxValue), $"after loop, thread {t}");
            Assert.That(m[t * 4 + 3], Is.EqualTo(uint.MaxValue), $"after while, thread {t}");
        }
    }

    private static int Lane(int t) => t & 31;

    [TestCase(1, 0x1F)]      // whole-warp segment
    [TestCase(3, 0x1F)]
    [TestCase(2, 0x181F)]    // width-8 segments: c = ((32 - 8) << 8) | 0x1F for up/down/bfly/idx on sub-warps
    [TestCase(5, 0x1807)]
    [TestCase(17, 0x0)]      // up clamp value 0 and large offsets
    public void ShuffleModesMatchPtxDefinition(int b, int c)
    {
        const int threads = 64;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "warp_ops", "shuffles");
        var input = Enumerable.Range(0, threads).Select(i => i * 7 + 3).ToArray();
        var din = device.Upload<int>(input);
        var dout = device.Allocate(threads * 16);
        var dpred = device.Allocate(threads * 16);
        device.Launch(f, new LaunchConfig(1, threads), new KernelArguments().Add(din).Add(dout).Add(dpred).Add(b).Add(c));
        var o = device.Download<int>(dout);
        var p = device.Download<int>(dpred);
        for (int t = 0; t < threads; t++)
        {
            int lane = Lane(t), warpBase = t - lane;
            int bval = b & 31, clamp = c & 31, seg = (c >> 8) & 31;
            int maxLane = (lane & seg) | (clamp & ~seg), minLane = lane & seg;
            (int j, bool ok)[] cases =
            {
                (lane - bval, lane - bval >= maxLane),
                (lane + bval, lane + bval <= maxLane),
                (lane ^ bval, (lane ^ bval) <= maxLane),
                (minLane | (bval & ~seg), (minLane | (bval & ~seg)) <= maxLane),
            };
            for (int mode = 0; mode < 4; mode++)
            {
                var (j, ok) = cases[mode];
                int src = ok ? j : lane;
                Assert.That(o[t * 4 + mode], Is.EqualTo(input[warpBase + src]), $"mode {mode} thread {t}");
                Assert.That(p[t * 4 + mode], Is.EqualTo(ok ? 1 : 0), $"mode {mode} predicate thread {t}");
            }
        }
    }

    [Test]
    public void VotesSeeTheWholeWarp()
    {
        const int threads = 64;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "warp_ops", "votes");
        // Warp 0: mixed signs; warp 1: all positive.
        var input = Enumerable.Range(0, threads).Select(i => i < 32 ? (i % 3 == 0 ? -1 : i) : i).ToArray();
        var din = device.Upload<int>(input);
        var dout = device.Allocate(threads * 16);
        device.Launch(f, new LaunchConfig(1, threads), new KernelArguments().Add(din).Add(dout));
        var o = device.Download<uint>(dout);
        for (int w = 0; w < 2; w++)
        {
            uint ballot = 0;
            bool any5 = false;
            for (int l = 0; l < 32; l++) { if (input[w * 32 + l] > 0) ballot |= 1u << l; any5 |= input[w * 32 + l] > 5; }
            for (int l = 0; l < 32; l++)
            {
                int t = w * 32 + l;
                Assert.That(o[t * 4 + 0], Is.EqualTo(ballot));
                Assert.That(o[t * 4 + 1], Is.EqualTo(ballot == uint.MaxValue ? 1u : 0u));
                Assert.That(o[t * 4 + 2], Is.EqualTo(any5 ? 1u : 0u));
                Assert.That(o[t * 4 + 3], Is.EqualTo(ballot == 0 || ballot == uint.MaxValue ? 1u : 0u));
            }
        }
    }

    [Test]
    public void SharedReductionWithBarriers()
    {
        const int blocks = 3, threads = 256;
        var input = Enumerable.Range(0, blocks * threads).Select(i => (float)((i * 37) % 101) - 50f).ToArray();
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "shared_atomics", "block_sum");
        var din = device.Upload<float>(input);
        var dout = device.Allocate(blocks * 4);
        device.Launch(f, new LaunchConfig(blocks, threads), new KernelArguments().Add(din).Add(dout));
        var o = device.Download<float>(dout);
        for (int b = 0; b < blocks; b++)
        {
            // Same tree order as the kernel, so the f32 result is bit-identical.
            var s = input.Skip(b * threads).Take(threads).ToArray();
            for (int stride = threads / 2; stride > 0; stride >>= 1)
                for (int t = 0; t < stride; t++) s[t] += s[t + stride];
            Assert.That(o[b], Is.EqualTo(s[0]));
        }
    }

    [Test]
    public void AtomicsOnGlobalAndShared()
    {
        const int blocks = 2, threads = 64;
        var input = Enumerable.Range(0, blocks * threads).Select(i => (i * 13) % 50 - 20).ToArray();
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "shared_atomics", "atomics");
        var din = device.Upload<int>(input);
        var counters = device.Upload<int>(new[] { 0, int.MinValue, int.MaxValue, 0, 0, 0 });
        var fsum = device.Upload<float>(new[] { 0f });
        var hist = device.Upload<uint>(new uint[8]);
        device.Launch(f, new LaunchConfig(blocks, threads), new KernelArguments().Add(din).Add(counters).Add(fsum).Add(hist));
        var c = device.Download<int>(counters);
        Assert.That(c[0], Is.EqualTo(input.Sum()));
        Assert.That(c[1], Is.EqualTo(input.Max()));
        Assert.That(c[2], Is.EqualTo(input.Min()));
        Assert.That(c[3], Is.InRange(1, blocks * threads));
        Assert.That(c[4], Is.EqualTo(7));
        Assert.That(c[5], Is.EqualTo(input.Take(threads).Max() + input.Skip(threads).Max()));
        // Halves of integers sum exactly in f32 at this magnitude, whatever the order.
        Assert.That(device.Download<float>(fsum)[0], Is.EqualTo(input.Sum() * 0.5f));
        var h = device.Download<uint>(hist);
        for (int k = 0; k < 8; k++) Assert.That(h[k], Is.EqualTo((uint)input.Count(v => (v & 7) == k)));
    }

    [Test]
    public void GraphCaptureRecordsAndReplaysLaunches()
    {
        const int threads = 256;
        var input = Enumerable.Range(0, threads).Select(i => (float)i).ToArray();
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "shared_atomics", "block_sum");
        var din = device.Upload<float>(input);
        var dout = device.Allocate(4);
        var stream = device.CreateStream();
        device.BeginCapture(stream);
        device.Memset(dout, 0, stream);
        device.Launch(f, new LaunchConfig(1, threads), new KernelArguments().Add(din).Add(dout), stream);
        var graph = device.EndCapture(stream);
        Assert.That(graph.NodeCount, Is.EqualTo(2));
        Assert.That(device.LastLaunchWarpInstructions, Is.EqualTo(0), "capture must not execute");
        device.LaunchGraph(graph, stream);
        Assert.That(device.Download<float>(dout)[0], Is.EqualTo(input.Sum()));
    }
}
