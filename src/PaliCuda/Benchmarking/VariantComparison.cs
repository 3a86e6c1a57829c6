using PaliCuda.Generation;
using PaliCuda.Kernels;

namespace PaliCuda.Benchmarking;

/// <summary>
/// Every variant of one op on one shape and device, against the CPU reference on the same inputs: what
/// <c>palicuda kernels compare</c> prints. Ceilings are measured once, first, on the same device.
/// </summary>
public static class VariantComparison
{
    /// <summary>The architecture whose ptxas report is shown: the Hopper cards the GPU runs use.</summary>
    public const string ReportArch = "sm_90";

    public static (DeviceCeilings Ceilings, IReadOnlyList<VariantResult> Rows) Run(DeviceKind device, OpShape shape, int repetitions, int warmup = 2,
        CancellationToken cancellationToken = default)
    {
        float[] reference;
        using (var cpu = BenchmarkTarget.Create(DeviceKind.Cpu))
        using (var op = PreparedOp.Prepare(cpu.Backend, shape))
        {
            op.Run();
            reference = op.ReadOutput();
        }

        var report = TryReport();
        DeviceCeilings ceilings;
        using (var target = BenchmarkTarget.Create(device)) ceilings = DeviceCeilings.MeasureFor(target);

        var rows = new List<VariantResult>();
        foreach (var variant in KernelOps.Variants(shape.Op))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var target = BenchmarkTarget.Create(device, KernelOps.VariantChoice(shape.Op, variant));
            using var op = PreparedOp.Prepare(target.Backend, shape);
            op.Run();
            var (rel, maxAbs) = Errors(reference, op.ReadOutput());
            var timing = KernelMeasurement.Measure(target, op, variant, ceilings, warmup, repetitions);
            var resources = report is null ? [] : KernelOps.Entries(shape.Op, variant).SelectMany(e => report.For(e)).Where(r => r.Arch == ReportArch).ToList();
            rows.Add(new VariantResult(variant, rel, maxAbs, timing, resources));
        }
        return (ceilings, rows);
    }

    /// <summary>‖a − b‖₂ / ‖a‖₂ and max |a − b|; a NaN anywhere gives +∞.</summary>
    public static (double Relative, double MaxAbs) Errors(float[] reference, float[] actual)
    {
        if (reference.Length != actual.Length)
            throw new ArgumentException($"output has {actual.Length} values, the reference {reference.Length}");
        double diff2 = 0, ref2 = 0, maxAbs = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            var d = Math.Abs((double)actual[i] - reference[i]);
            if (double.IsNaN(d)) return (double.PositiveInfinity, double.PositiveInfinity);
            diff2 += d * d;
            ref2 += (double)reference[i] * reference[i];
            maxAbs = Math.Max(maxAbs, d);
        }
        return (ref2 > 0 ? Math.Sqrt(diff2 / ref2) : Math.Sqrt(diff2), maxAbs);
    }

    /// <summary>The embedded ptxas report, or null in a build made without one.</summary>
    public static PtxasReport? TryReport()
    {
        try
        {
            return EmbeddedPtx.PtxasReport;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FileNotFoundException)
        {
            return null;
        }
    }
}
