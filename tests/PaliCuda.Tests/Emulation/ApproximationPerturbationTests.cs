using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Generation;
using PaliCuda.Tests.Gpu;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Emulation;

public class ApproximationPerturbationTests
{
    /// <summary>The PTX ISA's error statements for each output column of approx_ops, as (kind, bound).</summary>
    private static readonly (string Name, char Kind, double Bound)[] Bounds =
    {
        ("ex2", 'u', 2), ("lg2", 'l', Math.Pow(2, -22.6)), ("sin", 'a', Math.Pow(2, -20.5)), ("cos", 'a', Math.Pow(2, -20.5)),
        ("rcp", 'u', 1), ("rsqrt", 'r', Math.Pow(2, -22.9)), ("tanh", 'r', Math.Pow(2, -10.987)), ("sqrt", 'r', Math.Pow(2, -23)),
        ("div", 'u', 2),
    };

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
        for (int k = 0; k < 9; k++)
        {
            var (name, kind, bound) = Bounds[k];
            int moved = 0;
            for (int i = 0; i < x.Length; i++)
            {
                float e = exact[i * 9 + k], p = perturbed[i * 9 + k];
                if (p != e) moved++;
                double limit = kind switch
                {
                    'u' => bound * (MathF.BitIncrement(MathF.Abs(e)) - MathF.Abs(e)) * 1.0000001,
                    'r' => bound * Math.Abs(e),
                    'a' => bound,
                    _ => Math.Abs(e) < 1 ? bound : bound * Math.Abs(e),
                };
                Assert.That(Math.Abs((double)p - e), Is.LessThanOrEqualTo(limit), $"{name}({x[i]})");
            }
            Assert.That(moved, Is.GreaterThan(x.Length / 4), $"{name}: perturbation should move most results");
        }
    }

    /// <summary>The same derived bf16 end-to-end bound as the unperturbed run (8 unit roundoffs of relative L2 error,
    /// see EmulatedFixtureComparisonTests): approximation errors within the ISA's bounds are far below bf16 rounding.</summary>
    private const double Bf16EndToEndRelativeL2 = 8 * Bf16Tolerance.UnitRoundoff;

    [Test]
    public void TinyModelEndToEndStillPassesWithPerturbedApproximations()
    {
        ComparisonReport report;
        using (EmulatorOptions.Use(new EmulatorOptions { ApproximationPerturbationSeed = 20240607 }))
            report = FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Emulated, ToleranceRule.Float32);
        var compared = report.Cases.SelectMany(c => c.Tensors).Where(t => t.Note != "exact" && !double.IsNaN(t.RelativeError)).ToList();
        Assert.That(compared, Has.Count.GreaterThanOrEqualTo(15));
        Assert.That(compared.Where(t => !(t.RelativeError <= Bf16EndToEndRelativeL2)).Select(t => $"{t.Name}: rel {t.RelativeError:E3}"), Is.Empty);
        var c = report.Cases.Single();
        Assert.That(c.ActualTokens, Is.EqualTo(c.ExpectedTokens));
    }
}
