namespace PaliCuda.Generation;

public enum FinishReason
{
    /// <summary>A stop (eos) id was emitted; it is the last token.</summary>
    StopToken,
    /// <summary>MaxNewTokens were emitted.</summary>
    MaxTokens,
}
