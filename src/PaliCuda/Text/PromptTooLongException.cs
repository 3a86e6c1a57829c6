namespace PaliCuda.Text;

/// <summary>
/// The prompt is too long: its input ids (image tokens included) exceed the allowed number of tokens, or its text
/// exceeds <see cref="EngineLimits.MaxPromptChars"/> before it is even tokenized.
/// </summary>
public sealed class PromptTooLongException : PaliCudaInputException
{
    /// <summary>Creates the exception from the token counts involved.</summary>
    public PromptTooLongException(int tokenCount, int maxTokens, int imageTokenCount)
        : base($"The prompt needs {tokenCount} input tokens ({imageTokenCount} image tokens + {tokenCount - imageTokenCount} text tokens), " +
               $"more than the maximum of {maxTokens} (prompt)")
    {
        TokenCount = tokenCount;
        MaxTokens = maxTokens;
        ImageTokenCount = imageTokenCount;
    }

    private PromptTooLongException(string message, int characterCount, int maxCharacters) : base(message)
    {
        CharacterCount = characterCount;
        MaxCharacters = maxCharacters;
    }

    /// <summary>The prompt text itself is over the character limit (checked before tokenizing).</summary>
    public static PromptTooLongException ForCharacters(int characterCount, int maxCharacters) =>
        new($"The prompt has {characterCount} characters, more than the limit of {maxCharacters} of EngineLimits.MaxPromptChars (prompt)",
            characterCount, maxCharacters);

    /// <summary>Total number of input ids the prompt would need (0 when the text was refused before tokenizing).</summary>
    public int TokenCount { get; }

    /// <summary>The token limit that was exceeded (0 when the text was refused before tokenizing).</summary>
    public int MaxTokens { get; }

    /// <summary>How many of <see cref="TokenCount"/> are image tokens.</summary>
    public int ImageTokenCount { get; }

    /// <summary>Characters in the refused prompt text, or null when the token limit was the one exceeded.</summary>
    public int? CharacterCount { get; }

    /// <summary>The character limit that was exceeded, or null when the token limit was the one exceeded.</summary>
    public int? MaxCharacters { get; }
}
