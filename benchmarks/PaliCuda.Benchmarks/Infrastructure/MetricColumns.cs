using System.Globalization;
using BenchmarkDotNet.Columns;

namespace PaliCuda.Benchmarks.Infrastructure;

/// <summary>The custom columns every PaliCuda suite shows.</summary>
public static class MetricColumns
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public static IReadOnlyList<IColumn> All { get; } =
    [
        new MetricColumn("Device ms", "median device time per invocation between two device events (CUDA events on a GPU)",
            c => MeasurementLog.MedianDeviceMs(c.Key)?.ToString("F4", Ci)),
        new MetricColumn("GB/s", "minimum bytes moved (OpCost / ModelFloor) over the median device time",
            c => Rate(c, c.Work.Bytes / 1e9)?.ToString("F1", Ci)),
        new MetricColumn("TFLOP/s", "FLOPs (OpCost / ModelFloor) over the median device time",
            c => Rate(c, c.Work.Flops / 1e12)?.ToString("F2", Ci)),
        new MetricColumn("% BW ceiling", "achieved GB/s over the device-to-device copy bandwidth measured on the same device in this run",
            c => Fraction(c, b => Rate(c, c.Work.Bytes) / b.BytesPerSecond)),
        new MetricColumn("% GEMM ceiling", "achieved FLOP/s over the large bf16 GEMM rate measured on the same device in this run",
            c => Fraction(c, b => Rate(c, c.Work.Flops) / b.FlopsPerSecond)),
        new MetricColumn("Peak MiB", "peak device memory while the case ran (end-to-end suites)",
            c => MeasurementLog.PeakBytes(c.Key) is { } p ? (p / 1048576.0).ToString("F0", Ci) : null),
    ];

    private static double? Rate(IMeasuredCase c, double amount) =>
        MeasurementLog.MedianDeviceMs(c.Key) is { } ms and > 0 ? amount / (ms / 1e3) : null;

    private static string? Fraction(IMeasuredCase c, Func<PaliCuda.Benchmarking.DeviceCeilings, double?> f) =>
        MeasurementLog.KnownCeilings(c.Device) is { } ceilings && f(ceilings) is { } v ? (100 * v).ToString("F1", Ci) : null;
}
