using BenchmarkDotNet.Attributes;
using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>
/// Time to first token, batch 1, random bf16 weights made in-process: BenchmarkDotNet's time is the wall clock (what a
/// caller waits, image preprocessing included); "Device ms" is the prefill graph between device events.
/// </summary>
[Config(typeof(PaliCudaBenchmarkConfig))]
public class TimeToFirstTokenBenchmarks
{
    private BenchmarkTarget? _target;
    private EndToEndRun? _run;

    [ParamsSource(nameof(Cases))]
    public ModelCase Case { get; set; } = null!;

    public static IEnumerable<ModelCase> Cases() => ModelCase.All(EndToEndPhase.TimeToFirstToken);

    [GlobalSetup]
    public void Setup()
    {
        _target = BenchmarkTarget.Create(Case.Device);
        MeasurementLog.CeilingsFor(_target);
        _run = new EndToEndRun(_target, BenchmarkModels.ByName(Case.Model));
    }

    [Benchmark]
    public int TimeToFirstToken()
    {
        var t = _run!.TimeToFirstToken();
        MeasurementLog.RecordDeviceTime(Case.Key, t.DeviceMs);
        if (_run.PeakDeviceBytes is { } peak) MeasurementLog.RecordPeak(Case.Key, peak);
        return t.Token;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _run?.Dispose();
        _target?.Dispose();
        (_run, _target) = (null, null);
    }
}
