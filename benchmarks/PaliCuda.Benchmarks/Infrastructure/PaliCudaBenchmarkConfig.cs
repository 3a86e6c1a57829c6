using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PaliCuda.Benchmarks.Infrastructure;

/// <summary>
/// In-process toolchain (the GPU machine runs the published bundle and has no SDK to build a benchmark process),
/// BenchmarkDotNet's default statistics plus the device-time, rate, ceiling and memory columns, GitHub markdown and
/// JSON reports. GPU work is long and steady, so a short job (3 warm-ups, 10 iterations) is the default.
/// </summary>
public sealed class PaliCudaBenchmarkConfig : ManualConfig
{
    public PaliCudaBenchmarkConfig() : this(DefaultJob) { }

    public PaliCudaBenchmarkConfig(Job job)
    {
        AddJob(job);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddColumn([.. MetricColumns.All]);
        AddLogger(ConsoleLogger.Default);
        AddExporter(MarkdownExporter.GitHub, JsonExporter.Full);
        WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(80));
    }

    public static Job DefaultJob { get; } = Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(3)
        .WithIterationCount(10)
        .WithInvocationCount(1)
        .WithUnrollFactor(1)
        .WithId("InProcess");
}
