namespace PaliCuda.Generation;

/// <summary>One generation request's limits and selection rule.</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 64;
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    /// <summary>Ids that end generation (emitted, then stop). Null: the checkpoint's eos ids.</summary>
    public IReadOnlyCollection<int>? StopTokenIds { get; init; }
    /// <summary>Keep every step's logits in the result (verification).</summary>
    public bool RecordStepLogits { get; init; }
}
