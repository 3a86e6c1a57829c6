namespace PaliCuda.Imaging;

/// <summary>An image file could not be used: unreadable, empty, not an image, corrupt, or over the size limits.</summary>
public sealed class InvalidImageException : PaliCudaInputException
{
    /// <summary>Creates the exception; <paramref name="source"/> names the file (or buffer) and <paramref name="problem"/> what is wrong.</summary>
    public InvalidImageException(string source, string problem, Exception? inner = null)
        : base($"image cannot be used: {problem} ({source})", inner)
    {
        SourceName = source;
        Problem = problem;
    }

    /// <summary>The file (or buffer description) that was being read.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
