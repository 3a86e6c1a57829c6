using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Kernels;

namespace PaliCuda.Tests.Emulation;

/// <summary>The shipped smoke kernel (kernels/smoke.cu) on the emulated device against its C# formula.</summary>
public class SmokeKernelTests
{
    [TestCase(1, 1, 32)]
    [TestCase(1000, 2, 128)]
    [TestCase(4097, 3, 256)]
    public void AxpyMatchesFusedMultiplyAddElementByElement(int n, int blocks, int threads)
    {
        const int seed = 20261126;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed + n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        const float a = 1.37f;

        using var device = new EmulatedDevice();
        var axpy = device.LoadModule("smoke", EmbeddedPtx.Load("smoke")).GetFunction("palicuda_smoke_axpy");
        var dy = device.Upload<float>(y);
        var dx = device.Upload<float>(x);
        // A grid smaller than n exercises the grid-stride loop.
        device.Launch(axpy, new LaunchConfig(blocks, threads), new KernelArguments().Add(dy).Add(dx).Add(a).Add(n));
        var result = device.Download<float>(dy);

        // fmaf rounds once: bit-identical to MathF.FusedMultiplyAdd.
        for (var i = 0; i < n; i++)
            Assert.That(result[i], Is.EqualTo(MathF.FusedMultiplyAdd(a, x[i], y[i])), $"element {i}");
    }
}
