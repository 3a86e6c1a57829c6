namespace PaliCuda.Verification;

/// <summary>The result of <see cref="FixtureComparison.Run"/>: per case, per tensor errors and greedy agreement.</summary>
public sealed record ComparisonReport(string FixtureDirectory, string Device, ToleranceRule Tolerance, IReadOnlyList<CaseComparison> Cases)
{
    public int TensorsWithinTolerance => Cases.Sum(c => c.Tensors.Count(t => t.Passed));
    public int TensorCount => Cases.Sum(c => c.Tensors.Count);
    /// <summary>Greedy tokens equal to the reference before the first difference (later ones follow a different prefix).</summary>
    public int MatchingTokens => Cases.Sum(c => c.MatchingTokens);
    public int ExpectedTokenCount => Cases.Sum(c => c.ExpectedTokens.Count);
    /// <summary>Largest ‖Δ‖₂/‖ref‖₂ over every compared tensor.</summary>
    public double WorstRelativeError => Cases.SelectMany(c => c.Tensors).Select(t => t.RelativeError).DefaultIfEmpty(0).Max();
    public bool AllPassed => TensorsWithinTolerance == TensorCount && MatchingTokens == ExpectedTokenCount;
}
