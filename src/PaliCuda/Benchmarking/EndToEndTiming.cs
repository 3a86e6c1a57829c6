namespace PaliCuda.Benchmarking;

/// <summary>
/// One timed step of an end-to-end run. <see cref="WallMs"/> is what a caller waits (host work, launches, the device
/// and reading the token back); <see cref="DeviceMs"/> is the device time of the graph between two events;
/// <see cref="PreprocessMs"/> is the host image preprocessing (0 for decode steps).
/// </summary>
public sealed record EndToEndTiming(double WallMs, double DeviceMs, double PreprocessMs, int Token);
