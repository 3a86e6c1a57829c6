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
}
