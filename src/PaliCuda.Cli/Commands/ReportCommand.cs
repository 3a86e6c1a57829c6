using System.CommandLine;

namespace PaliCuda.Cli.Commands;

/// <summary>A command that takes no options, writes a report to the invocation's output and exits 0 (<c>info</c>, <c>kernels</c>).</summary>
internal static class ReportCommand
{
    public static Command Create(string name, string description, Action<TextWriter> write)
    {
        var command = new Command(name, description);
        command.SetAction(parse =>
        {
            write(parse.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
