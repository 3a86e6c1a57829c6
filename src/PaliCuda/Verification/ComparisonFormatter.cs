using System.Globalization;
using System.Text;

namespace PaliCuda.Verification;

/// <summary>
/// Text form of a <see cref="ComparisonReport"/>: one line per tensor, then a summary whose LAST line is exactly
/// <c>compare: &lt;k&gt;/&lt;n&gt; tensors within tolerance; greedy &lt;a&gt;/&lt;b&gt; tokens match; worst rel err &lt;x&gt;</c>
/// with x in two-decimal scientific notation ("1.23e-07", .NET format "0.00e+00", invariant culture).
/// </summary>
public static class ComparisonFormatter
{
    public static string Format(ComparisonReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"fixture {report.FixtureDirectory} on {report.Device}");
        foreach (var c in report.Cases)
        {
            sb.AppendLine($"case {c.Name}: prefill {c.PrefillTime.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms, peak activations {c.PeakActivationBytes} bytes");
            foreach (var t in c.Tensors)
            {
                var observed = t.Observed is { } o ? Sci(o) : "-";
                sb.AppendLine($"  {(t.Passed ? "ok  " : "FAIL")} {t.Name,-28} max abs {Sci(t.MaxAbsError)}  rel {Sci(t.RelativeError)}  bound {Sci(t.Bound)}  fp32-vs-fp64 {observed}{(t.Note is null ? "" : "  " + t.Note)}");
            }
            sb.AppendLine($"  greedy expected [{string.Join(", ", c.ExpectedTokens)}]");
            sb.AppendLine($"  greedy actual   [{string.Join(", ", c.ActualTokens)}]");
        }
        sb.Append(SummaryLine(report));
        return sb.ToString();
    }

    public static string SummaryLine(ComparisonReport report) =>
        $"compare: {report.TensorsWithinTolerance}/{report.TensorCount} tensors within tolerance; greedy {report.MatchingTokens}/{report.ExpectedTokenCount} tokens match; worst rel err {Sci(report.WorstRelativeError)}";

    public static string Sci(double x) => x.ToString("0.00e+00", CultureInfo.InvariantCulture);
}
