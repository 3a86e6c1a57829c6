namespace PaliCuda.Cli;

/// <summary>The documented process exit codes of <c>palicuda</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The run worked but a check failed: <c>compare</c> out of tolerance, demo outputs differ from HF's.</summary>
    public const int CheckFailed = 1;
    /// <summary>The command line itself is wrong (unknown option, missing value).</summary>
    public const int Usage = 2;
    /// <summary>An input is bad: checkpoint, config, tokenizer, image, prompt, fixture.</summary>
    public const int BadInput = 3;
    /// <summary>The device failed: a CUDA error, out of device memory, an emulator violation.</summary>
    public const int DeviceError = 4;
    /// <summary>Cancelled by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;
    /// <summary>A bug in PaliCuda: an exception we did not expect. Run with --verbose and report it.</summary>
    public const int InternalError = 70;

    /// <summary>The exit-code table printed by <c>palicuda --help</c> (the README's "Exit codes" section says the same).</summary>
    public const string HelpText =
        "Errors are one line on stderr, 'error: <what> (<where>)' (the stack trace only with --verbose).\n" +
        "Exit codes: 0 success; 1 a check failed (compare, demo, kernels compare); 2 bad command line; 3 bad input\n" +
        "(checkpoint, config, tokenizer, image, prompt); 4 device error; 70 internal error (a bug: report it with --verbose);\n" +
        "130 cancelled.";
}
