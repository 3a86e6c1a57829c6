namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>Our engine against a transformers reference on the same checkpoint and inputs.</summary>
public sealed record ReferenceCheckResult(
    string Folder,
    string Device,
    int Positions,
    double LogitsRelativeError,
    double LogitsMaxAbsError,
    int Top1Agreements,
    int[] ExpectedTokens,
    int[] ActualTokens,
    int MatchingPrefix,
    bool Passed,
    string? Error);
