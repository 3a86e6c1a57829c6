using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace PaliCuda.Benchmarks.Infrastructure;

/// <summary>
/// A summary column computed from a case's <see cref="IMeasuredCase"/> parameter and the <see cref="MeasurementLog"/>:
/// device time, achieved rates, fractions of the ceilings, peak memory (see <see cref="MetricColumns"/>).
/// </summary>
public sealed class MetricColumn(string name, string legend, Func<IMeasuredCase, string?> value) : IColumn
{
    public string Id => "PaliCuda." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        CaseOf(benchmarkCase) is { } c ? value(c) ?? "-" : "-";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public static IMeasuredCase? CaseOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IMeasuredCase>().FirstOrDefault();
}
