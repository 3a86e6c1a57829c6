using System.CommandLine;
using PaliCuda.Verification;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda compare</c>: runs a reference fixture folder (reference.json + reference.safetensors beside a HF
/// checkpoint) on a device and prints every tensor's error. Exit 0 only when all are within the device's tolerance
/// and the greedy tokens match; the last line is the machine-readable summary.
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("Fixture folder: a checkpoint with reference.json and reference.safetensors");
        var device = CommonOptions.Device("cpu");
        var command = new Command("compare", "Check the engine against reference outputs from Hugging Face transformers") { model, device };
        command.SetAction((parse, cancellationToken) =>
        {
            var kind = CommonOptions.ResolveDevice(parse.GetRequiredValue(device));
            var report = FixtureComparison.Run(parse.GetRequiredValue(model), kind, cancellationToken: cancellationToken);
            parse.InvocationConfiguration.Output.WriteLine(ComparisonFormatter.Format(report));
            return Task.FromResult(report.AllPassed ? ExitCodes.Success : ExitCodes.CheckFailed);
        });
        return command;
    }
}
