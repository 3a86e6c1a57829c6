namespace PaliCuda.Verification;

/// <summary>A reference fixture folder (reference.json / reference.safetensors) is malformed; the message names the file and field.</summary>
public sealed class FixtureFormatException(string message, string filePath, Exception? inner = null)
    : PaliCudaInputException($"{message} ({filePath})", inner)
{
    public string FilePath { get; } = filePath;
}
