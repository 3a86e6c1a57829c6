namespace PaliCuda.Checkpoint;

/// <summary>A checkpoint file or folder is malformed. The message names the file, the tensor (if any) and what is wrong.</summary>
public sealed class CheckpointFormatException : PaliCudaInputException
{
    public string? FilePath { get; }
    public string? TensorName { get; }

    public CheckpointFormatException(string message, string? filePath = null, string? tensorName = null, Exception? inner = null)
        : base(Compose(message, filePath, tensorName), inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    private static string Compose(string message, string? filePath, string? tensorName)
    {
        var where = (filePath, tensorName) switch
        {
            (not null, not null) => $" ({filePath}, tensor '{tensorName}')",
            (not null, null) => $" ({filePath})",
            (null, not null) => $" (tensor '{tensorName}')",
            _ => "",
        };
        return message + where;
    }
}
