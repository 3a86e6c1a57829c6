using System.CommandLine;
using PaliCuda.Cli.Commands;

namespace PaliCuda.Cli;

/// <summary>The <c>palicuda</c> command tree. Every command's failures are mapped to <see cref="ExitCodes"/> by <see cref="CliRunner"/>.</summary>
public static class PaliCudaCli
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("PaliCuda: PaliGemma 2 inference on NVIDIA GPUs (with CPU and emulated-GPU backends)\n\n" + ExitCodes.HelpText);
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(KernelsCommand.Create());
        return root;
    }

    /// <summary>Runs the tool in-process with the given writers (tests, embedding hosts).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        CliRunner.InvokeAsync(CreateRootCommand(), args, output, error);
}
