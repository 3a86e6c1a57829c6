namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>
/// One weight format of one model against the bf16 run of the same random weights: agreement of the greedy ids
/// (prefill positions, and the greedy continuation), memory and decode speed against the quantized bandwidth floor.
/// </summary>
public sealed record QuantizedTiming(
    string Model,
    string Weights,
    long WeightBytes,
    long DecodeWeightBytes,
    long? PeakDeviceBytes,
    double TtftDeviceMs,
    double DecodeWallMs,
    double DecodeDeviceMs,
    double DecodeFloorMs,
    int PrefillTop1Agreements,
    int PrefillPositions,
    int GreedyPositionsEqual,
    int GreedyMatchingPrefix,
    int GreedyTokens,
    string? Error)
{
    /// <summary>Floor / measured decode time: 1 means the step moves its bytes at the measured copy bandwidth.</summary>
    public double FractionOfFloor => DecodeFloorMs / DecodeDeviceMs;
}
