using BenchmarkDotNet.Attributes;
using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>
/// Decode ms/token, batch 1, after a prefill of the benchmark prompt (random bf16 weights made in-process). The KV
/// cache holds 32 generated tokens; later steps reuse those positions, so every step attends a similar length.
/// </summary>
[Config(typeof(PaliCudaBenchmarkConfig))]
public class DecodeBenchmarks : EndToEndBenchmark
{
    [ParamsSource(nameof(Cases))]
    public override ModelCase Case { get; set; } = null!;

    public static IEnumerable<ModelCase> Cases() => ModelCase.All(EndToEndPhase.Decode);

    protected override void Prepare(EndToEndRun run) => run.TimeToFirstToken();

    [Benchmark]
    public int DecodeToken() => Record(Run.DecodeStep());
}
