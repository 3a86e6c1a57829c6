using System.CommandLine;
using PaliCuda.Cli.Commands;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;

namespace PaliCuda.Cli;

/// <summary>
/// Runs the parsed command and turns failures into the error contract: one line <c>error: &lt;what&gt; (&lt;where&gt;)</c>
/// on stderr and a documented exit code (<see cref="ExitCodes"/>); the stack trace only with --verbose.
/// </summary>
public static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) error.WriteLine($"error: {e.Message} (command line)");
            error.WriteLine("Run 'palicuda --help' for usage.");
            return ExitCodes.Usage;
        }
        var verbose = parsed.GetValue(CommonOptions.Verbose);
        try
        {
            var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await parsed.InvokeAsync(config);
        }
        catch (Exception ex)
        {
            var (code, message) = Classify(ex);
            error.WriteLine($"error: {message}");
            if (verbose) error.WriteLine(ex.ToString());
            return code;
        }
    }

    /// <summary>Maps an exception to its exit code and the one-line message (the exception's own text names the place).</summary>
    public static (int Code, string Message) Classify(Exception ex) => ex switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled"),
        // Every input error (checkpoint, config, tokenizer, image, prompt, model input, PTX) derives from one base and
        // already names what is wrong and where.
        PaliCudaInputException => (ExitCodes.BadInput, FirstLine(ex.Message)),
        UsageException => (ExitCodes.Usage, ex.Message),
        FileNotFoundException f => (ExitCodes.BadInput, $"{FirstLine(f.Message)} ({f.FileName})"),
        DirectoryNotFoundException or UnauthorizedAccessException => (ExitCodes.BadInput, FirstLine(ex.Message)),
        CudaException or CublasException or OutOfMemoryException => (ExitCodes.DeviceError, FirstLine(ex.Message)),
        DeviceUnavailableException => (ExitCodes.DeviceError, ex.Message),
        // .NET appends " (Parameter 'x')" to argument errors; our messages already name the option.
        ArgumentException a => (ExitCodes.Usage, FirstLine(a.Message).Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal)),
        _ => (ExitCodes.InternalError, $"internal error: {ex.GetType().Name}: {FirstLine(ex.Message)} (run with --verbose and report it)"),
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
