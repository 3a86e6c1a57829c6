using PaliCuda.Checkpoint;
using Spectre.Console;

namespace PaliCuda.Cli;

/// <summary>
/// Shows weight loading on stderr: a Spectre.Console progress bar on an interactive terminal, otherwise one line per
/// tenth for checkpoints big enough to take a while (a 3B checkpoint is ~6 GB), nothing for small ones.
/// </summary>
public static class LoadProgressDisplay
{
    /// <summary>Below this many bytes loading takes well under a second: no lines.</summary>
    public const long QuietBelowBytes = 256L << 20;

    /// <summary>Runs <paramref name="load"/> with a progress sink that displays on <paramref name="error"/>.</summary>
    public static T Run<T>(TextWriter error, Func<IProgress<CheckpointLoadProgress>, T> load)
    {
        if (error != Console.Error || Console.IsErrorRedirected) return load(new TenthsPrinter(error));
        var result = default(T)!;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(true).Start(context =>
        {
            var task = context.AddTask("loading weights", autoStart: true, maxValue: 1.0);
            result = load(new CallbackProgress(p =>
            {
                task.Value = p.Fraction;
                task.Description = $"loading weights {GigaBytes(p.BytesDone)} of {GigaBytes(p.TotalBytes)}";
            }));
        });
        return result;
    }

    private static string GigaBytes(long bytes) => FormattableString.Invariant($"{bytes / 1e9:F1} GB");

    /// <summary>Reports synchronously on the loading thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class CallbackProgress(Action<CheckpointLoadProgress> report) : IProgress<CheckpointLoadProgress>
    {
        public void Report(CheckpointLoadProgress value) => report(value);
    }

    /// <summary>One line each time loading crosses another tenth of the bytes.</summary>
    public sealed class TenthsPrinter(TextWriter writer) : IProgress<CheckpointLoadProgress>
    {
        private int _printedTenths;

        public void Report(CheckpointLoadProgress value)
        {
            if (value.TotalBytes < QuietBelowBytes) return;
            var tenths = (int)Math.Floor(value.Fraction * 10);
            if (tenths <= _printedTenths) return;
            _printedTenths = tenths;
            writer.WriteLine($"loading weights: {tenths * 10}% ({GigaBytes(value.BytesDone)} of {GigaBytes(value.TotalBytes)}, {value.TensorsDone}/{value.TensorCount} tensors)");
        }
    }
}
