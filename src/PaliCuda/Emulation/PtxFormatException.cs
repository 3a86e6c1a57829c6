namespace PaliCuda.Emulation;

/// <summary>PTX text that cannot be parsed, or uses an instruction or variant the emulator does not implement.
/// Raised while loading the module, with the PTX line number and text. PTX handed to the emulator is user input
/// (<c>--device emulated</c> loads whatever text it is given), hence an input error.</summary>
public sealed class PtxFormatException : PaliCudaInputException
{
    public PtxFormatException(string module, int line, string lineText, string message)
        : base($"{module}:{line}: {message}\n    {lineText.Trim()}")
    {
        Module = module;
        Line = line;
    }

    public string Module { get; }

    public int Line { get; }
}
