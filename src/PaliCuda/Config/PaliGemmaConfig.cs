namespace PaliCuda.Config;

/// <summary>
/// A whole PaliGemma (2) model: SigLIP tower → linear projector (vision hidden → text hidden, with bias) →
/// Gemma 2 decoder. Note that a released checkpoint's top-level <c>hidden_size</c> is stale;
/// <see cref="Text"/>.HiddenSize is the real one.
/// </summary>
public sealed record PaliGemmaConfig
{
    public required SiglipVisionConfig Vision { get; init; }
    public required Gemma2TextConfig Text { get; init; }
    /// <summary>Id of the <c>&lt;image&gt;</c> placeholder token (257152 in released models).</summary>
    public required int ImageTokenIndex { get; init; }
    public int BosTokenId { get; init; } = 2;
    public int EosTokenId { get; init; } = 1;
    public int PadTokenId { get; init; } = 0;

    /// <summary>Image tokens per image: one per SigLIP patch.</summary>
    public int NumImageTokens => Vision.NumPatches;
}
