using BenchmarkDotNet.Attributes;
using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>
/// What the end-to-end suites share: a target and an <see cref="EndToEndRun"/> of the case's model (random bf16 weights
/// made in-process), and the device time and peak memory of every measured step logged under the case's key.
/// </summary>
public abstract class EndToEndBenchmark
{
    private BenchmarkTarget? _target;
    private EndToEndRun? _run;

    /// <summary>The case; each suite marks its override with the <c>[ParamsSource]</c> of its own phase.</summary>
    public abstract ModelCase Case { get; set; }

    /// <summary>The run made by <see cref="Setup"/>.</summary>
    protected EndToEndRun Run => _run ?? throw new InvalidOperationException("the benchmark's GlobalSetup has not run");

    [GlobalSetup]
    public void Setup()
    {
        _target = BenchmarkTarget.Create(Case.Device);
        MeasurementLog.CeilingsFor(_target);
        _run = new EndToEndRun(_target, BenchmarkModels.ByName(Case.Model));
        Prepare(_run);
    }

    /// <summary>Work before the first measured step (e.g. the prefill a decode step needs); nothing by default.</summary>
    protected virtual void Prepare(EndToEndRun run)
    {
    }

    /// <summary>Logs a measured step's device time (and the run's peak device memory, where known); returns its token.</summary>
    protected int Record(EndToEndTiming timing)
    {
        MeasurementLog.RecordDeviceTime(Case.Key, timing.DeviceMs);
        if (Run.PeakDeviceBytes is { } peak) MeasurementLog.RecordPeak(Case.Key, peak);
        return timing.Token;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _run?.Dispose();
        _target?.Dispose();
        (_run, _target) = (null, null);
    }
}
