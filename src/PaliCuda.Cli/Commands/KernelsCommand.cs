using System.CommandLine;
using PaliCuda.Benchmarking;
using Spectre.Console;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda kernels</c>: every benchmarkable op with its variants (the GPU backend's registered ones, default first),
/// the kernel entries each launches and their registers / spills from the embedded ptxas report; <c>kernels compare</c>
/// (<see cref="KernelsCompareCommand"/>) times them.
/// </summary>
public static class KernelsCommand
{
    public static Command Create()
    {
        var command = ReportCommand.Create("kernels", "List kernel ops, their variants and ptxas registers/spills; 'kernels compare OP' times the variants", Write);
        command.Subcommands.Add(KernelsCompareCommand.Create());
        return command;
    }

    public static void Write(TextWriter output)
    {
        var console = SpectreConsoles.For(output);
        var report = VariantComparison.TryReport();
        var table = new Table().Title("kernel ops and variants").AddColumns("op", "variant", "kernel entries", $"registers ({VariantComparison.ReportArch})",
            "spill bytes (st/ld)", "description");
        foreach (var op in KernelOps.All)
        {
            var variants = KernelOps.Variants(op);
            for (var i = 0; i < variants.Count; i++)
            {
                var entries = KernelOps.Entries(op, variants[i]);
                var rows = report is null ? [] : entries.SelectMany(report.For).Where(r => r.Arch == VariantComparison.ReportArch).ToList();
                var regs = rows.Count == 0 ? "-" : string.Join(" / ", rows.Select(r => r.Registers));
                var spills = rows.Count == 0 ? "-" : string.Join(" / ", rows.Select(r => $"{r.SpillStoreBytes}/{r.SpillLoadBytes}"));
                table.AddRow(Markup.Escape(op), Markup.Escape(variants[i] + (i == 0 ? " (default)" : "")),
                    Markup.Escape(entries.Count == 0 ? "-" : string.Join(", ", entries)), regs, spills, Markup.Escape(KernelOps.Description(op, variants[i])));
            }
        }
        console.Write(table);
        if (report is null)
            console.WriteLine("no ptxas report is embedded in this build");
        else
            console.WriteLine($"ptxas report: {report.Entries.Count} entry builds over {report.Entries.Select(e => e.Arch).Distinct().Count()} architectures");
    }
}
