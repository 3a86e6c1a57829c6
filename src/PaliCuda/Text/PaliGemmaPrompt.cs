namespace PaliCuda.Text;

/// <summary>
/// Builds PaliGemma input ids the way Hugging Face's <c>PaliGemmaProcessor</c> does for one image and one
/// prompt: <c>&lt;image&gt;</c> × image token count, <c>&lt;bos&gt;</c>, then the tokens of <c>prompt + "\n"</c>
/// (no EOS). The processor tokenizes the string <c>"&lt;image&gt;"*N + "&lt;bos&gt;" + prompt + "\n"</c>, whose
/// special tokens its tokenizer splits off before running SentencePiece, so writing the special ids directly
/// and encoding only <c>prompt + "\n"</c> gives the same ids.
/// </summary>
/// <remarks>
/// The prompt is treated as plain text: a literal "&lt;image&gt;" or "&lt;bos&gt;" inside it is encoded as
/// characters, whereas the HF processor would turn it into the special id.
/// </remarks>
public sealed class PaliGemmaPrompt
{
    private readonly PaliGemmaTokenizer _tokenizer;

    /// <summary>
    /// Creates a prompt builder. <paramref name="imageTokenId"/> overrides the tokenizer's <c>&lt;image&gt;</c>
    /// piece (use the checkpoint's <c>image_token_index</c> when it is known).
    /// </summary>
    /// <exception cref="ArgumentException">The image token id is unknown or outside the vocabulary, or the count is not positive.</exception>
    public PaliGemmaPrompt(PaliGemmaTokenizer tokenizer, int imageTokenCount, int? imageTokenId = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (imageTokenCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageTokenCount), imageTokenCount, "The number of image tokens must be positive.");
        int id = imageTokenId ?? tokenizer.ImageTokenId
            ?? throw new ArgumentException("The tokenizer has no <image> piece and no image token id was given.", nameof(imageTokenId));
        if ((uint)id >= (uint)tokenizer.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(imageTokenId), id, $"The image token id is outside the vocabulary (0..{tokenizer.VocabSize - 1}).");
        _tokenizer = tokenizer;
        ImageTokenCount = imageTokenCount;
        ImageTokenId = id;
    }

    /// <summary>Number of <c>&lt;image&gt;</c> ids placed in front of the text (the vision tower's patch count).</summary>
    public int ImageTokenCount { get; }

    /// <summary>The id written for each image position.</summary>
    public int ImageTokenId { get; }

    /// <summary>Builds the input ids for a prompt such as <c>"caption en"</c>.</summary>
    /// <param name="prompt">The task prompt, without the trailing newline (it is added here).</param>
    /// <param name="maxTokens">Optional upper bound on the total number of ids, image tokens included.</param>
    /// <exception cref="PromptTooLongException">The ids would exceed <paramref name="maxTokens"/>.</exception>
    public int[] BuildInputIds(string prompt, int? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (maxTokens is <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "The token limit must be positive.");
        int[] text = _tokenizer.Encode(prompt + "\n");
        int total = ImageTokenCount + 1 + text.Length;
        if (maxTokens is int max && total > max)
            throw new PromptTooLongException(total, max, ImageTokenCount);

        var ids = new int[total];
        Array.Fill(ids, ImageTokenId, 0, ImageTokenCount);
        ids[ImageTokenCount] = _tokenizer.BosId;
        text.CopyTo(ids, ImageTokenCount + 1);
        return ids;
    }
}
