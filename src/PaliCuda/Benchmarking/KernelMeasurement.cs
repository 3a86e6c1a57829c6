namespace PaliCuda.Benchmarking;

/// <summary>
/// One op variant's time at one shape and what it achieved: bytes and FLOPs from <see cref="OpCost"/> over the median
/// device time, and those rates as fractions of the ceilings measured on the same device in the same run.
/// </summary>
public sealed record KernelMeasurement(OpShape Shape, string Variant, double MedianMs, double MinMs, OpWork Work, DeviceCeilings? Ceilings)
{
    public double GigabytesPerSecond => Work.Bytes / (MedianMs / 1e3) / 1e9;
    public double TeraflopsPerSecond => Work.Flops / (MedianMs / 1e3) / 1e12;
    public double? FractionOfBandwidth => Ceilings is { } c ? Work.Bytes / (MedianMs / 1e3) / c.BytesPerSecond : null;
    public double? FractionOfGemmRate => Ceilings is { } c ? Work.Flops / (MedianMs / 1e3) / c.FlopsPerSecond : null;

    /// <summary>The larger of the two fractions: how close the op runs to whichever resource bounds it.</summary>
    public double? FractionOfCeiling => FractionOfBandwidth is { } b && FractionOfGemmRate is { } f ? Math.Max(b, f) : null;

    /// <summary>The least time the op can take on this device: the larger of bytes/bandwidth and FLOPs/GEMM rate.</summary>
    public double? FloorMs => Ceilings is { } c ? 1e3 * Math.Max(Work.Bytes / c.BytesPerSecond, Work.Flops / c.FlopsPerSecond) : null;

    /// <summary>Times <paramref name="op"/> on <paramref name="target"/>.</summary>
    public static KernelMeasurement Measure(BenchmarkTarget target, PreparedOp op, string variant, DeviceCeilings? ceilings, int warmup, int repetitions)
    {
        var times = DeviceTimer.Measure(target.Backend, op.Run, warmup, repetitions);
        return new KernelMeasurement(op.Shape, variant, DeviceTimer.Median(times), times.Min(), OpCost.Of(op.Shape, target.ElementBytes), ceilings);
    }
}
