namespace PaliCuda.Native.Driver;

/// <summary>Loading a module failed; carries what the JIT compiler wrote to its error and info logs.</summary>
public sealed class CudaJitException : CudaException
{
    public CudaJitException(CuResult result, string call, string errorLog, string infoLog)
        : base(result, call, CudaErrorText.Name(result), CudaErrorText.Description(result), FormatLogs(errorLog, infoLog))
    {
        ErrorLog = errorLog;
        InfoLog = infoLog;
    }

    /// <summary>The JIT error log (ptxas diagnostics), empty if the JIT wrote none.</summary>
    public string ErrorLog { get; }

    /// <summary>The JIT info log, empty if the JIT wrote none.</summary>
    public string InfoLog { get; }

    private static string FormatLogs(string errorLog, string infoLog)
    {
        var parts = new List<string>(2);
        if (errorLog.Length > 0)
        {
            parts.Add($"JIT error log:{Environment.NewLine}{errorLog}");
        }

        if (infoLog.Length > 0)
        {
            parts.Add($"JIT info log:{Environment.NewLine}{infoLog}");
        }

        return string.Join(Environment.NewLine, parts);
    }
}
