namespace PaliCuda.Graph;

/// <summary>The base visibility rule of an attention op (before any sliding window).</summary>
public enum AttentionMaskKind
{
    /// <summary>Every query sees every key (SigLIP).</summary>
    Bidirectional,
    /// <summary>
    /// PaliGemma's prefix-LM: key j is visible to the query at cache position i when j is inside the prompt
    /// (j &lt; prefix length) or j ≤ i. The whole prompt is bidirectional; generated tokens are causal.
    /// </summary>
    PrefixCausal,
}
