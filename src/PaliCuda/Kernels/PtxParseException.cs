namespace PaliCuda.Kernels;

/// <summary>PTX text that the entry parser cannot read; names the PTX source and the line.</summary>
public sealed class PtxParseException(string ptxSource, int line, string message)
    : PaliCudaInputException($"{ptxSource}, line {line}: {message}")
{
    /// <summary>What the PTX came from (a module stem or file name), as the caller named it.</summary>
    public string PtxSource { get; } = ptxSource;

    public int Line { get; } = line;
}
