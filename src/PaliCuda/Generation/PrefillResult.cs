namespace PaliCuda.Generation;

/// <summary>What a verification prefill returns: requested taps (by fixture name), last-row logits and greedy choice.</summary>
public sealed record PrefillResult(
    IReadOnlyDictionary<string, float[]> Taps,
    float[] LastLogits,
    int NextToken,
    long PeakActivationBytes,
    TimeSpan Elapsed);
