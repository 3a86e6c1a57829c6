using BenchmarkDotNet.Attributes;
using PaliCuda.Benchmarks.Infrastructure;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>
/// Time to first token, batch 1, random bf16 weights made in-process: BenchmarkDotNet's time is the wall clock (what a
/// caller waits, image preprocessing included); "Device ms" is the prefill graph between device events.
/// </summary>
[Config(typeof(PaliCudaBenchmarkConfig))]
public class TimeToFirstTokenBenchmarks : EndToEndBenchmark
{
    [ParamsSource(nameof(Cases))]
    public override ModelCase Case { get; set; } = null!;

    public static IEnumerable<ModelCase> Cases() => ModelCase.All(EndToEndPhase.TimeToFirstToken);

    [Benchmark]
    public int TimeToFirstToken() => Record(Run.TimeToFirstToken());
}
