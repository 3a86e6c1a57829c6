using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class TensorCoreTests
{
    /// <summary>Recursive f32 summation of n terms errs by at most (n-1)·2^-24·Σ|term| (Higham); the emulator's
    /// f64 sum rounded once adds half an ulp. 17 terms (C plus 16 products) give 16 + 1 = 17 units of 2^-24·Σ|term|.</summary>
    private const double OrderToleranceUnits = 17;

    /// <summary>Distinct integers per element: every product and partial sum is an exact f32, so any order gives
    /// the same bits and a misplaced element changes the result.</summary>
    private static float[] DistinctA(int k) => Enumerable.Range(0, 16 * k).Select(i => (float)(i * 37 % 256 - 128)).ToArray();

    private static float[] DistinctB(int k) => Enumerable.Range(0, k * 8).Select(i => (float)(i * 29 % 128 - 64)).ToArray();

    private static float[] DistinctC() => Enumerable.Range(0, 128).Select(i => (float)(i * 3 - 200)).ToArray();

    private static float[] Reference(float[] a, float[] b, float[] c, int k)
    {
        var d = new float[128];
        for (int row = 0; row < 16; row++)
            for (int n = 0; n < 8; n++)
            {
                double s = c[row * 8 + n];
                for (int kk = 0; kk < k; kk++) s += (double)a[row * k + kk] * b[kk * 8 + n];
                d[row * 8 + n] = (float)s;
            }
        return d;
    }

    private static float[] RunF32(string kernel, float[] a, float[] b, float[] c, int k, Func<float, ushort> encode)
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", kernel);
        var cRegs = new float[128];
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < 4; i++)
            {
                var (row, n) = MmaFragmentLayout.C(lane, i);
                cRegs[lane * 4 + i] = c[row * 8 + n];
            }
        var da = device.Upload<uint>(MmaFragmentLayout.PackA(a, k, encode));
        var db = device.Upload<uint>(MmaFragmentLayout.PackB(b, k, encode));
        var dc = device.Upload<float>(cRegs);
        var dd = device.Allocate(128 * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(da).Add(db).Add(dc).Add(dd));
        var regs = device.Download<float>(dd);
        var d = new float[128];
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < 4; i++)
            {
                var (row, n) = MmaFragmentLayout.C(lane, i);
                d[row * 8 + n] = regs[lane * 4 + i];
            }
        return d;
    }

    [TestCase("mma_bf16_k16", 16, true)]
    [TestCase("mma_f16_k16", 16, false)]
    [TestCase("mma_bf16_k8", 8, true)]
    public void MmaWithDistinctValuesMatchesTheIsaLayout(string kernel, int k, bool bf16)
    {
        Func<float, ushort> encode = bf16 ? MmaFragmentLayout.BFloat16 : MmaFragmentLayout.Half16;
        var a = DistinctA(k);
        var b = DistinctB(k);
        var c = DistinctC();
        var d = RunF32(kernel, a, b, c, k, encode);
        Assert.That(d, Is.EqualTo(Reference(a, b, c, k)));
    }

    [Test]
    public void MmaOfRandomValuesIsWithinTheSummationOrderBound()
    {
        var rng = new Random(7);
        float Bf16(float x) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) & unchecked((int)0xFFFF0000));
        var a = Enumerable.Range(0, 256).Select(_ => Bf16((float)(rng.NextDouble() * 2 - 1) * 3)).ToArray();
        var b = Enumerable.Range(0, 128).Select(_ => Bf16((float)(rng.NextDouble() * 2 - 1))).ToArray();
        var c = Enumerable.Range(0, 128).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var d = RunF32("mma_bf16_k16", a, b, c, 16, MmaFragmentLayout.BFloat16);
        for (int row = 0; row < 16; row++)
            for (int n = 0; n < 8; n++)
            {
                // A hardware-like order: f32 accumulation from C along k.
                float sequential = c[row * 8 + n];
                double magnitude = Math.Abs(c[row * 8 + n]);
                for (int kk = 0; kk < 16; kk++)
                {
                    sequential += a[row * 16 + kk] * b[kk * 8 + n];
                    magnitude += Math.Abs((double)a[row * 16 + kk] * b[kk * 8 + n]);
                }
                double bound = OrderToleranceUnits * Math.Pow(2, -24) * magnitude;
                Assert.That(Math.Abs(d[row * 8 + n] - sequential), Is.LessThanOrEqualTo(bound), $"D[{row},{n}]");
            }
    }

    [Test]
    public void MmaWithF16AccumulatorRoundsTheExactSumOnce()
    {
        var a = Enumerable.Range(0, 256).Select(i => (i * 37 % 256 - 128) / 16f).ToArray();
        var b = Enumerable.Range(0, 128).Select(i => (i * 29 % 128 - 64) / 64f).ToArray();
        var c = Enumerable.Range(0, 128).Select(i => (i % 16 - 8) / 4f).ToArray();
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "mma_f16acc_k16");
        var cRegs = new uint[64];
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < 4; i++)
            {
                var (row, n) = MmaFragmentLayout.C(lane, i);
                cRegs[lane * 2 + i / 2] |= (uint)MmaFragmentLayout.Half16(c[row * 8 + n]) << (16 * (i % 2));
            }
        var da = device.Upload<uint>(MmaFragmentLayout.PackA(a, 16, MmaFragmentLayout.Half16));
        var db = device.Upload<uint>(MmaFragmentLayout.PackB(b, 16, MmaFragmentLayout.Half16));
        var dc = device.Upload<uint>(cRegs);
        var dd = device.Allocate(64 * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(da).Add(db).Add(dc).Add(dd));
        var regs = device.Download<uint>(dd);
        var exact = Reference(a, b, c, 16); // every term is a multiple of 2^-10 below 2^8: the f32 sum is exact
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < 4; i++)
            {
                var (row, n) = MmaFragmentLayout.C(lane, i);
                ushort got = (ushort)(regs[lane * 2 + i / 2] >> (16 * (i % 2)));
                Assert.That(got, Is.EqualTo(BitConverter.HalfToUInt16Bits((Half)exact[row * 8 + n])), $"D[{row},{n}]");
            }
    }

    [Test]
    public void MmaInADivergentWarpIsRefused()
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "mma_divergent");
        var a = device.Upload<uint>(new uint[32]);
        var d = device.Allocate(32 * 4);
        var e = Assert.Throws<EmulatorException>(() => device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(a).Add(d)));
        Assert.That(e!.Message, Does.Contain("mma.sync must be executed by all 32 lanes"));
        Assert.That(e.Message, Does.Contain("0x0000FFFF"));
    }

    [TestCase(0, 1, false)]
    [TestCase(1, 2, false)]
    [TestCase(2, 4, false)]
    [TestCase(3, 1, true)]
    [TestCase(4, 2, true)]
    [TestCase(5, 4, true)]
    public void LdmatrixDistributesRowsAsTheIsaSays(int variant, int matrices, bool transpose)
    {
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "ldmatrix_forms");
        var source = Enumerable.Range(0, 512).Select(i => (ushort)(1000 + i * 7)).ToArray();
        // Each lane points at a different 16-byte row, in a scrambled order.
        var rowStart = Enumerable.Range(0, 32).Select(l => (l * 5 + 3) % 64 * 8).ToArray();
        var ds = device.Upload<ushort>(source);
        var dr = device.Upload<int>(rowStart);
        var dout = device.Allocate(32 * 16);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(ds).Add(dr).Add(dout).Add(variant));
        var got = device.Download<uint>(dout);
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < 4; i++)
            {
                uint expected = 0;
                if (i < matrices)
                {
                    // Matrix i's row r comes from the address of lane 8i + r.
                    ushort Element(int row, int col) => source[rowStart[8 * i + row] + col];
                    int g = lane / 4, t = lane % 4;
                    expected = transpose
                        ? Element(2 * t, g) | (uint)Element(2 * t + 1, g) << 16
                        : Element(g, 2 * t) | (uint)Element(g, 2 * t + 1) << 16;
                }
                Assert.That(got[lane * 4 + i], Is.EqualTo(expected), $"lane {lane} register {i}");
            }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void PipelinedTensorCoreGemmMatchesReference(bool transB)
    {
        const int m = 32, n = 24, k = 64;
        var rng = new Random(transB ? 11 : 5);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.Next(-8, 8)).ToArray();
        var b = Enumerable.Range(0, n * k).Select(_ => (float)rng.Next(-8, 8)).ToArray(); // [n][k], or [k][n] when transB
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "tensor_core", "gemm_tc");
        var da = device.Upload<ushort>(a.Select(MmaFragmentLayout.BFloat16).ToArray());
        var db = device.Upload<ushort>(b.Select(MmaFragmentLayout.BFloat16).ToArray());
        var dc = device.Allocate(m * n * 4);
        device.Launch(f, new LaunchConfig(new Dim3(n / 8, m / 16, 1), new Dim3(32, 1, 1)),
            new KernelArguments().Add(da).Add(db).Add(dc).Add(m).Add(n).Add(k).Add(transB ? 1 : 0));
        var c = device.Download<float>(dc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0; // integers below 2^24: exact in any order
                for (int kk = 0; kk < k; kk++) s += a[i * k + kk] * (transB ? b[kk * n + j] : b[j * k + kk]);
                Assert.That(c[i * n + j], Is.EqualTo(s), $"C[{i},{j}]");
            }
    }
}
