using Spectre.Console;

namespace PaliCuda.Cli;

/// <summary>Spectre.Console writers over a given TextWriter, so commands print to whatever the invocation chose.</summary>
internal static class SpectreConsoles
{
    /// <summary>Lines are never wrapped below this width when the output is not a terminal (logs, pipes, tests).</summary>
    private const int RedirectedWidth = 200;

    public static IAnsiConsole For(TextWriter writer)
    {
        var interactive = writer == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            // Plain text unless the real terminal is interactive: output is read by scripts and tests as often as by people.
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.Detect,
        });
        if (!interactive) console.Profile.Width = RedirectedWidth;
        return console;
    }
}
