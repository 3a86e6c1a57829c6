using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Generation;
using PaliCuda.Tests.Gpu;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Emulation;

public class ApproximationPerturbationTests
{
    private static float[] Run(int? seed, float[] x)
    {
        using var device = new EmulatedDevice(new EmulatorOptions { ApproximationPerturbationSeed = seed });
        var f = EmulatorKernels.Load(device, "checks", "approx_ops");
        var dx = device.Upload<float>(x);
        var o = device.Allocate(x.Length * 9 * 4);
        device.Launch(f, new LaunchConfig((x.Length + 63) / 64, 64), new KernelArguments().Add(dx).Add(o).Add(x.Length));
        return device.Download<float>(o);
    }

    [Test]
    public void PerturbedResultsStayWithinTheIsaBoundsAndAreDeterministic()
    {
        var x = Enumerable.Range(0, 200).Select(i => (i - 100) * 0.137f + 0.01f).ToArray();
        var exact = Run(null, x);
        var perturbed = Run(1234, x);
        Assert.That(Run(1234, x), Is.EqualTo(perturbed), "same seed, same results");
        Assert.That(Run(99, x), Is.Not.EqualTo(perturbed), "another seed moves results differently");
        var columns = PtxApproximationBounds.ApproxOpsColumns;
        for (int k = 0; k < columns.Length; k++)
        {
            var name = columns[k];
            int moved = 0;
            for (int i = 0; i < x.Length; i++)
            {
                float e = exact[i * 9 + k], p = perturbed[i * 9 + k];
                if (p != e) moved++;
                Assert.That(Math.Abs((double)p - e), Is.LessThanOrEqualTo(PtxApproximationBounds.Of(name, x[i], e)), $"{name}({x[i]})");
            }
            Assert.That(moved, Is.GreaterThan(x.Length / 4), $"{name}: perturbation should move most results");
        }
    }

    [Test]
    public void SineAndCosineBeyondTheStatedRangeAreMovedAnywhere()
    {
        // The ISA gives no error bound outside [-100π, 100π]: perturbation must make a kernel that depends on those
        // results fail, so it moves them far beyond the 2^-14.7 that holds inside the range.
        var x = Enumerable.Range(0, 64).Select(i => 400f + 3.1f * i).ToArray();
        var exact = Run(null, x);
        var perturbed = Run(7, x);
        var worst = Enumerable.Range(0, x.Length).SelectMany(i => new[] { 2, 3 }.Select(k => Math.Abs((double)perturbed[i * 9 + k] - exact[i * 9 + k]))).Max();
        Assert.That(worst, Is.GreaterThan(0.1), "out-of-range sin/cos results should move by a large amount");
        Assert.That(Enumerable.Range(0, x.Length).SelectMany(i => new[] { perturbed[i * 9 + 2], perturbed[i * 9 + 3] }), Has.All.InRange(-1f, 1f));
    }

    [Test]
    public void DivApproxFlushesHugeDivisorsAndDivFullDoesNot()
    {
        var huge = MathF.ScaleB(1.5f, 126); // in (2^126, 2^128)
        float[] a = [3f, -3f, float.PositiveInfinity, 1e30f, 6f];
        float[] b = [huge, huge, huge, -huge, 2f];
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "checks", "approx_divides");
        var (da, db) = (device.Upload<float>(a), device.Upload<float>(b));
        var o = device.Allocate(a.Length * 2 * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(da).Add(db).Add(o).Add(a.Length));
        var r = device.Download<float>(o);
        Assert.Multiple(() =>
        {
            // div.approx = a * (1/b): the ISA states ±0 for 2^126 < |b| < 2^128, NaN when a is infinite.
            Assert.That(BitConverter.SingleToInt32Bits(r[0]), Is.EqualTo(BitConverter.SingleToInt32Bits(0f)), "3 / huge, approx");
            Assert.That(BitConverter.SingleToInt32Bits(r[2]), Is.EqualTo(BitConverter.SingleToInt32Bits(-0f)), "-3 / huge, approx");
            Assert.That(r[4], Is.NaN, "inf / huge, approx");
            Assert.That(BitConverter.SingleToInt32Bits(r[6]), Is.EqualTo(BitConverter.SingleToInt32Bits(-0f)), "1e30 / -huge, approx");
            Assert.That(r[8], Is.EqualTo(3f), "6 / 2, approx");
            // div.full scales its operands: the quotient is kept (within its 2 ulp; the emulator rounds once).
            Assert.That(r[1], Is.EqualTo(3f / huge), "3 / huge, full");
            Assert.That(r[3], Is.EqualTo(-3f / huge), "-3 / huge, full");
            Assert.That(r[5], Is.EqualTo(float.PositiveInfinity), "inf / huge, full");
            Assert.That(r[7], Is.EqualTo(1e30f / -huge), "1e30 / -huge, full");
        });
    }

    [Test]
    public void TinyModelEndToEndStillPassesWithPerturbedApproximations()
    {
        ComparisonReport report;
        using (EmulatorOptions.Use(new EmulatorOptions { ApproximationPerturbationSeed = 20240607 }))
            report = FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Emulated, ToleranceRule.Float32);
        // The unperturbed run's bound: approximation errors within the ISA's bounds are far below bf16 rounding.
        Bf16EndToEnd.AssertFloatTensorsWithinBound(report);
        var c = report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
