namespace PaliCuda.Text;

/// <summary>The prompt's input ids (image tokens included) exceed the allowed number of tokens.</summary>
public sealed class PromptTooLongException : Exception
{
    /// <summary>Creates the exception from the counts involved.</summary>
    public PromptTooLongException(int tokenCount, int maxTokens, int imageTokenCount)
        : base($"The prompt needs {tokenCount} input tokens ({imageTokenCount} image tokens + {tokenCount - imageTokenCount} text tokens), " +
               $"more than the maximum of {maxTokens}.")
    {
        TokenCount = tokenCount;
        MaxTokens = maxTokens;
        ImageTokenCount = imageTokenCount;
    }

    /// <summary>Total number of input ids the prompt would need.</summary>
    public int TokenCount { get; }

    /// <summary>The limit that was exceeded.</summary>
    public int MaxTokens { get; }

    /// <summary>How many of <see cref="TokenCount"/> are image tokens.</summary>
    public int ImageTokenCount { get; }
}
