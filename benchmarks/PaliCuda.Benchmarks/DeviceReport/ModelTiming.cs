namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>End-to-end numbers of one model shape on one device (medians; milliseconds).</summary>
public sealed record ModelTiming(
    string Model,
    int PromptLength,
    double LoadSeconds,
    double TtftWallMs,
    double TtftDeviceMs,
    double PreprocessMs,
    double DecodeWallMs,
    double DecodeDeviceMs,
    double PrefillFloorMs,
    double DecodeFloorMs,
    long? PeakDeviceBytes,
    string? Error);
