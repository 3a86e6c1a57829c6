using System.CommandLine;
using System.Globalization;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;
using Spectre.Console;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda kernels compare OP [--shape ...] [--device cuda|emulated|cpu]</c>: every variant of OP on one shape:
/// error against the CPU reference on the same inputs, median device time, GB/s, TFLOP/s, fraction of the ceilings
/// measured first on the same device, and registers / spills. Exit 1 when a variant's error exceeds the bound.
/// </summary>
public static class KernelsCompareCommand
{
    /// <summary>
    /// ‖Δ‖₂/‖ref‖₂ bound against the float32 CPU reference: the GPU stores inputs and outputs in bf16 (roundoff 2⁻⁸ ≈ 3.9e-3
    /// on the output alone) and accumulates in fp32, so a correct kernel lands near one bf16 roundoff; 4 leave room for
    /// intermediate roundings (the fused add+norm rounds h before the second norm).
    /// </summary>
    public const double RelativeErrorBound = 4.0 / 256;

    public static Command Create()
    {
        var op = new Argument<string>("op") { Description = "Op name: " + string.Join(", ", KernelOps.All) };
        var shape = new Option<string?>("--shape") { Description = "Dimensions as name=value,... (e.g. m=264,n=2304,k=2304); default: the op's first catalogued shape for the device" };
        var device = CommonOptions.Device("auto");
        var repetitions = new Option<int>("--repetitions") { Description = "Timed runs per variant (median reported)", DefaultValueFactory = _ => 20 };
        var command = new Command("compare", "Run every variant of an op on one shape: error vs the CPU reference, time, GB/s, TFLOP/s, fraction of ceiling, registers/spills")
        {
            op, shape, device, repetitions,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var opName = parse.GetRequiredValue(op);
            if (!KernelOps.IsKnown(opName))
                throw new ArgumentException($"unknown op '{opName}'; known ops: {string.Join(", ", KernelOps.All)} (kernels compare)");
            var requested = parse.GetValue(device) ?? "auto";
            var kind = CommonOptions.ResolveDevice(requested);
            // Without a GPU, "auto" means the emulator: this command compares GPU kernels, the CPU has none.
            if (kind == DeviceKind.Cpu && string.Equals(requested, "auto", StringComparison.OrdinalIgnoreCase)) kind = DeviceKind.Emulated;
            var reps = parse.GetValue(repetitions);
            if (reps < 1) throw new ArgumentException($"--repetitions must be at least 1, got {reps}");
            OpShape opShape;
            try
            {
                opShape = parse.GetValue(shape) is { } text ? OpShape.Parse(opName, text) : ShapeCatalog.DefaultFor(opName, kind);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"{e.Message} (--shape)");
            }
            var (ceilings, rows) = VariantComparison.Run(kind, opShape, reps, cancellationToken: cancellationToken);
            Write(parse.InvocationConfiguration.Output, kind, opShape, ceilings, rows);
            return Task.FromResult(rows.All(r => r.RelativeError <= RelativeErrorBound) ? ExitCodes.Success : ExitCodes.CheckFailed);
        });
        return command;
    }

    private static void Write(TextWriter output, DeviceKind kind, OpShape shape, DeviceCeilings c, IReadOnlyList<VariantResult> rows)
    {
        var ci = CultureInfo.InvariantCulture;
        var console = SpectreConsoles.For(output);
        console.WriteLine($"{shape.Op} on {c.Device} ({kind.ToString().ToLowerInvariant()}), shape {shape}");
        console.WriteLine(string.Create(ci, $"ceilings (same device, this run): copy {c.GigabytesPerSecond:G4} GB/s, GEMM {c.TeraflopsPerSecond:G4} TFLOP/s"));
        var table = new Table().AddColumns("variant", "rel err vs cpu", "max abs err", "median ms", "GB/s", "TFLOP/s", "% BW ceiling", "% GEMM ceiling", "floor ms", "regs", "spill bytes");
        foreach (var r in rows)
        {
            var t = r.Timing;
            table.AddRow(Markup.Escape(r.Variant), r.RelativeError.ToString("E2", ci), r.MaxAbsError.ToString("E2", ci), t.MedianMs.ToString("F4", ci),
                t.GigabytesPerSecond.ToString("G4", ci), t.TeraflopsPerSecond.ToString("G4", ci),
                Percent(t.FractionOfBandwidth), Percent(t.FractionOfGemmRate), t.FloorMs?.ToString("F4", ci) ?? "-",
                r.Resources.Count == 0 ? "-" : r.MaxRegisters.ToString(ci), r.Resources.Count == 0 ? "-" : r.SpillBytes.ToString(ci));
        }
        console.Write(table);
        var worst = rows.Max(r => r.RelativeError);
        console.WriteLine(string.Create(ci, $"kernels compare: {rows.Count(r => r.RelativeError <= RelativeErrorBound)}/{rows.Count} variants within rel err {RelativeErrorBound:E2}; worst {worst:E2}"));

        string Percent(double? f) => f is { } v ? (100 * v).ToString("F1", ci) : "-";
    }
}
