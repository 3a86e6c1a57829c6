namespace PaliCuda.Config;

/// <summary>
/// The fields of a Hugging Face <c>generation_config.json</c> that decoding uses. Every field is null when the file
/// does not set it, so the caller can tell "absent" from a default.
/// </summary>
public sealed record GenerationConfig
{
    /// <summary>Any of these ends generation (the file may give one id or a list).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public int? BosTokenId { get; init; }
    public int? PadTokenId { get; init; }
    /// <summary>Total length limit, prompt included.</summary>
    public int? MaxLength { get; init; }
    /// <summary>Limit on generated tokens only.</summary>
    public int? MaxNewTokens { get; init; }
    public bool? DoSample { get; init; }
    public float? Temperature { get; init; }
    public int? TopK { get; init; }
    public float? TopP { get; init; }
    public float? RepetitionPenalty { get; init; }
    /// <summary>HF's cache choice ("hybrid" for Gemma 2); informational.</summary>
    public string? CacheImplementation { get; init; }
}
