using PaliCuda.Cli;

namespace PaliCuda.Tests.Cli;

/// <summary>Runs the <c>palicuda</c> command line in-process and captures what it writes.</summary>
internal static class CliHarness
{
    /// <summary>The exit code and everything written to stdout and stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PaliCudaCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
