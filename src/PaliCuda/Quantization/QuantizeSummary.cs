namespace PaliCuda.Quantization;

/// <summary>What <see cref="CheckpointQuantizer.Quantize"/> wrote.</summary>
public sealed record QuantizeSummary(string WeightsPath, QuantizationPlan Plan, int PackedWeights, int StoredTensors,
    long SourceBytes, long OutputBytes, IReadOnlyList<string> CopiedFiles);
