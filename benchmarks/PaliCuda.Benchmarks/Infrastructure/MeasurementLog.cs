using System.Collections.Concurrent;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;

namespace PaliCuda.Benchmarks.Infrastructure;

/// <summary>
/// What benchmark invocations measured beside BenchmarkDotNet's host clock: device time per invocation (events),
/// peak device memory per case, and the ceilings of each device measured once per process. The suites run in-process
/// (the GPU machine has no SDK to build a separate one), so the columns read this log directly.
/// </summary>
public static class MeasurementLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<double>> DeviceTimes = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, long> Peaks = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<DeviceKind, DeviceCeilings> CeilingsByDevice = new();

    public static void RecordDeviceTime(string key, double ms) => DeviceTimes.GetOrAdd(key, _ => new ConcurrentQueue<double>()).Enqueue(ms);

    public static void RecordPeak(string key, long bytes) => Peaks.AddOrUpdate(key, bytes, (_, old) => Math.Max(old, bytes));

    public static double? MedianDeviceMs(string key) =>
        DeviceTimes.TryGetValue(key, out var q) && !q.IsEmpty ? DeviceTimer.Median([.. q]) : null;

    public static int Count(string key) => DeviceTimes.TryGetValue(key, out var q) ? q.Count : 0;

    public static long? PeakBytes(string key) => Peaks.TryGetValue(key, out var b) ? b : null;

    /// <summary>The device's ceilings, measured on <paramref name="target"/> the first time a case of that device asks.</summary>
    public static DeviceCeilings CeilingsFor(BenchmarkTarget target) => CeilingsByDevice.GetOrAdd(target.Kind, _ => DeviceCeilings.MeasureFor(target));

    public static DeviceCeilings? KnownCeilings(DeviceKind device) => CeilingsByDevice.TryGetValue(device, out var c) ? c : null;

    public static void Clear()
    {
        DeviceTimes.Clear();
        Peaks.Clear();
    }
}
