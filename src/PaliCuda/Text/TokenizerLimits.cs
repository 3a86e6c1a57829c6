namespace PaliCuda.Text;

/// <summary>
/// Bounds an untrusted <c>tokenizer.model</c> or <c>tokenizer.json</c> must respect. The file size is checked before the
/// file is read; the piece count, piece length and merge count while it is walked, so a corrupt file fails early and
/// names the bound.
/// </summary>
public sealed record TokenizerLimits
{
    /// <summary>Largest accepted file (64 MiB; PaliGemma's 257,152-piece model is about 4.3 MB, a Gemma-style
    /// tokenizer.json of that vocabulary a few tens of MB).</summary>
    public long MaxFileBytes { get; init; } = 64L << 20;

    /// <summary>Most vocabulary pieces (2,097,152; eight times PaliGemma's vocabulary).</summary>
    public int MaxPieces { get; init; } = 1 << 21;

    /// <summary>Longest piece in UTF-8 bytes (4096; real vocabularies stay under a few hundred).</summary>
    public int MaxPieceBytes { get; init; } = 4096;

    /// <summary>Most BPE merges in a tokenizer.json (8,388,608; Gemma-style files list about two per piece).</summary>
    public int MaxMerges { get; init; } = 1 << 23;

    /// <summary>The default limits.</summary>
    public static TokenizerLimits Default { get; } = new();
}
