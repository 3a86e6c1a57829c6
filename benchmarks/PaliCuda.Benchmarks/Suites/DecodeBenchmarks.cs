using BenchmarkDotNet.Attributes;
using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>
/// Decode ms/token, batch 1, after a prefill of the benchmark prompt (random bf16 weights made in-process). The KV
/// cache holds 32 generated tokens; later steps reuse those positions, so every step attends a similar length.
/// </summary>
[Config(typeof(PaliCudaBenchmarkConfig))]
public class DecodeBenchmarks
{
    private BenchmarkTarget? _target;
    private EndToEndRun? _run;

    [ParamsSource(nameof(Cases))]
    public ModelCase Case { get; set; } = null!;

    public static IEnumerable<ModelCase> Cases() => ModelCase.All(EndToEndPhase.Decode);

    [GlobalSetup]
    public void Setup()
    {
        _target = BenchmarkTarget.Create(Case.Device);
        MeasurementLog.CeilingsFor(_target);
        _run = new EndToEndRun(_target, BenchmarkModels.ByName(Case.Model));
        _run.TimeToFirstToken();
    }

    [Benchmark]
    public int DecodeToken()
    {
        var t = _run!.DecodeStep();
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
