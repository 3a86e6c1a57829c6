using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Devices.Cuda;
using PaliCuda.Emulation;
using PaliCuda.Tests.Gpu;
using CudaDriver = PaliCuda.Native.Driver.CudaDriver;
using CudaAvailability = PaliCuda.Native.Driver.CudaAvailability;

namespace PaliCuda.Tests.Emulation;

/// <summary>
/// The emulator's test kernels on a real GPU and on the emulator with the same inputs: exact instructions must
/// give identical bytes; .approx results (approx_ops) must agree within the ISA's bounds; mma must agree within
/// the summation-order bound (integer-valued inputs here, where every order is exact, so bytes are identical).
/// Skipped, with the probe's reason, where no CUDA device is present.
/// </summary>
[Category("Gpu")]
public class DifferentialTests
{
    private static readonly Lazy<CudaAvailability> Cuda = new(CudaDriver.Probe);

    /// <summary>The run's shared CUDA device (<see cref="SharedCudaDevice"/>): not disposed here.</summary>
    private static CudaDevice OpenGpu()
    {
        if (!Cuda.Value.Available) Assert.Ignore($"No CUDA device: {Cuda.Value.Reason}");
        return SharedCudaDevice.Get();
    }

    /// <summary>Uploads the inputs, launches, and downloads the outputs on one device.</summary>
    private static byte[][] Run(IComputeDevice device, string module, string kernel, LaunchConfig config,
        Func<IComputeDevice, (KernelArguments Arguments, DeviceBuffer[] Outputs)> setup)
    {
        var f = device.LoadModule(module, EmulatorKernels.Ptx(module)).GetFunction(kernel);
        var (args, outputs) = setup(device);
        device.Launch(f, config, args);
        return outputs.Select(o => device.Download<byte>(o)).ToArray();
    }

    private static void AssertIdentical(string module, string kernel, LaunchConfig config,
        Func<IComputeDevice, (KernelArguments Arguments, DeviceBuffer[] Outputs)> setup)
    {
        var gpu = OpenGpu();
        using var emulator = new EmulatedDevice();
        var expected = Run(gpu, module, kernel, config, setup);
        var actual = Run(emulator, module, kernel, config, setup);
        for (int i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]), $"{module}.{kernel} output {i}");
    }

    private static DeviceBuffer Zeroed(IComputeDevice d, long bytes)
    {
        var b = d.Allocate(bytes);
        d.Memset(b, 0);
        return b;
    }

    [Test]
    public void ConversionsAreBitIdentical()
    {
        var floats = Enumerable.Range(0, 64).Select(i => BitConverter.Int32BitsToSingle(i * 0x0301_7F3B + 0x1234)).ToArray();
        var ints = Enumerable.Range(0, 64).Select(i => i * 0x2345_6789 - 77).ToArray();
        var doubles = Enumerable.Range(0, 64).Select(i => BitConverter.Int64BitsToDouble(i * 0x0123_4567_89AB_CDEFL + 99)).ToArray();
        AssertIdentical("cvt_ops", "cvt_ops", new LaunchConfig(2, 32), d =>
        {
            var o = Zeroed(d, 28L * 64 * 4);
            var w = Zeroed(d, 3L * 64 * 8);
            return (new KernelArguments().Add(d.Upload<float>(floats)).Add(d.Upload<int>(ints)).Add(d.Upload<double>(doubles))
                .Add(o).Add(w).Add(64), new[] { o, w });
        });
    }

    [Test]
    public void BfindIsBitIdentical()
    {
        var a = Enumerable.Range(0, 64).Select(i => (uint)(i * 0x0913_4567 + (i % 5 == 0 ? 0 : 0x10))).ToArray();
        var b = Enumerable.Range(0, 64).Select(i => i % 3 == 0 ? 0xFFFF_FFFFu : (uint)i * 0x0101_0101u).ToArray();
        AssertIdentical("int_ops", "bfind_ops", new LaunchConfig(2, 32), d =>
        {
            var o = Zeroed(d, 8L * 64 * 4);
            return (new KernelArguments().Add(d.Upload<uint>(a)).Add(d.Upload<uint>(b)).Add(o).Add(64), new[] { o });
        });
    }

    [Test]
    public void LibdeviceSinCosAreBitIdentical()
    {
        var x = Enumerable.Range(0, 256).Select(i => BitConverter.Int32BitsToSingle(0x3000_0000 + i * 0x0040_1234)).ToArray();
        AssertIdentical("calls", "trig", new LaunchConfig(4, 64), d =>
        {
            var s = Zeroed(d, 256 * 4);
            var c = Zeroed(d, 256 * 4);
            return (new KernelArguments().Add(d.Upload<float>(x)).Add(s).Add(c).Add(256), new[] { s, c });
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TensorCoreGemmIsBitIdenticalOnIntegerInputs(bool transB)
    {
        const int m = 64, n = 32, k = 128;
        var rng = new Random(3);
        var a = Enumerable.Range(0, m * k).Select(_ => MmaFragmentLayout.BFloat16(rng.Next(-8, 8))).ToArray();
        var b = Enumerable.Range(0, n * k).Select(_ => MmaFragmentLayout.BFloat16(rng.Next(-8, 8))).ToArray();
        AssertIdentical("tensor_core", "gemm_tc", new LaunchConfig(new Dim3(n / 8, m / 16, 1), new Dim3(32, 1, 1)), d =>
        {
            var c = Zeroed(d, m * n * 4);
            return (new KernelArguments().Add(d.Upload<ushort>(a)).Add(d.Upload<ushort>(b)).Add(c).Add(m).Add(n).Add(k).Add(transB ? 1 : 0), new[] { c });
        });
    }

    [Test]
    public void LdmatrixFormsAreBitIdentical()
    {
        var source = Enumerable.Range(0, 512).Select(i => (ushort)(i * 7919)).ToArray();
        var rows = Enumerable.Range(0, 32).Select(l => (l * 11 + 5) % 64 * 8).ToArray();
        for (int variant = 0; variant < 6; variant++)
        {
            int v = variant;
            AssertIdentical("tensor_core", "ldmatrix_forms", new LaunchConfig(1, 32), d =>
            {
                var o = Zeroed(d, 32 * 16);
                return (new KernelArguments().Add(d.Upload<ushort>(source)).Add(d.Upload<int>(rows)).Add(o).Add(v), new[] { o });
            });
        }
    }

    [Test]
    public void ApproximateInstructionsAgreeWithinTheIsaBounds()
    {
        var x = Enumerable.Range(0, 256).Select(i => (i - 128) * 0.0731f + 0.003f).ToArray();
        Func<IComputeDevice, (KernelArguments, DeviceBuffer[])> setup = d =>
        {
            var o = Zeroed(d, 256 * 9 * 4);
            return (new KernelArguments().Add(d.Upload<float>(x)).Add(o).Add(256), new[] { o });
        };
        var gpu = OpenGpu();
        using var emulator = new EmulatedDevice();
        var g = Run(gpu, "checks", "approx_ops", new LaunchConfig(4, 64), setup)[0];
        var e = Run(emulator, "checks", "approx_ops", new LaunchConfig(4, 64), setup)[0];
        var columns = PtxApproximationBounds.ApproxOpsColumns;
        for (int i = 0; i < g.Length / 4; i++)
        {
            float gv = BitConverter.ToSingle(g, i * 4), ev = BitConverter.ToSingle(e, i * 4);
            // The emulator rounds the exact value once (within every bound); the GPU is within the ISA's bound of it.
            var bound = 2 * PtxApproximationBounds.Of(columns[i % 9], x[i / 9], ev);
            Assert.That(Math.Abs((double)gv - ev), Is.LessThanOrEqualTo(bound), $"element {i} ({columns[i % 9]}({x[i / 9]}))");
        }
    }
}
