namespace PaliCuda.Generation;

/// <summary>Generated ids (stop id included when one ended generation), why it ended, optional per-step logits, timings.</summary>
public sealed record GenerationResult(
    IReadOnlyList<int> TokenIds,
    FinishReason FinishReason,
    IReadOnlyList<float[]>? StepLogits,
    TimeSpan PrefillTime,
    TimeSpan DecodeTime);
