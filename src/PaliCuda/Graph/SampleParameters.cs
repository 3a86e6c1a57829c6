namespace PaliCuda.Graph;

/// <summary>
/// The settings of a draw: temperature T &gt; 0, top-k (0 = off), top-p in (0, 1] (1 = off). A sampling op
/// (<see cref="Ops.SampleOp"/>) reads them at run time from its controls input (<see cref="SampleControls"/>), so they
/// are not part of a recorded graph. Greedy choice is not a sampling setting: it is the ArgMax op.
/// <see cref="TokenSampler"/> defines the semantics.
/// </summary>
public readonly record struct SampleParameters(float Temperature, int TopK, float TopP)
{
    /// <summary>Top-k is a restriction only when it is positive (0 keeps every candidate).</summary>
    public bool UsesTopK => TopK > 0;

    /// <summary>Top-p below 1 restricts; exactly 1 keeps the whole top-k set (no nucleus pass).</summary>
    public bool UsesTopP => TopP < 1f;

    /// <summary>Null when the parameters are usable; otherwise what is wrong with them.</summary>
    public string? Problem =>
        !(Temperature > 0 && float.IsFinite(Temperature)) ? $"temperature {Temperature} must be positive and finite (greedy choice is the ArgMax op)"
        : TopK < 0 ? $"top-k {TopK} must be ≥ 0 (0 = off)"
        : !(TopP > 0 && TopP <= 1) ? $"top-p {TopP} must be in (0, 1]"
        : null;

    /// <exception cref="ArgumentOutOfRangeException">The parameters are not usable (<see cref="Problem"/>).</exception>
    public void Validate()
    {
        if (Problem is { } problem) throw new ArgumentOutOfRangeException(nameof(SampleParameters), this, problem);
    }

    public override string ToString() => $"T={Temperature}, top-k={TopK}, top-p={TopP}";
}
