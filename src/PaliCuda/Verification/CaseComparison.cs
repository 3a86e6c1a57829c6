namespace PaliCuda.Verification;

/// <summary>Everything checked for one fixture case.</summary>
public sealed record CaseComparison(
    string Name,
    IReadOnlyList<TensorComparison> Tensors,
    IReadOnlyList<int> ExpectedTokens,
    IReadOnlyList<int> ActualTokens,
    int MatchingTokens,
    TimeSpan PrefillTime,
    long PeakActivationBytes);
