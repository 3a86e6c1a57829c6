using System.Globalization;
using System.Text.RegularExpressions;

namespace PaliCuda.Kernels;

/// <summary>
/// The build's ptxas -v report, parsed into one row per (module, architecture, entry).
/// The build writes a "== &lt;module&gt; &lt;arch&gt; ==" line before each ptxas run; the lines ptxas
/// prints per entry are "Compiling entry function 'X' for 'sm_NN'", then "N bytes stack frame,
/// N bytes spill stores, N bytes spill loads", then "Used N registers[, N bytes smem][, ...]".
/// </summary>
public sealed partial class PtxasReport(IReadOnlyList<PtxasEntryReport> entries)
{
    public IReadOnlyList<PtxasEntryReport> Entries { get; } = entries;

    /// <exception cref="InvalidDataException">An entry's lines appear outside a module section or are incomplete.</exception>
    public static PtxasReport Parse(string text)
    {
        var rows = new List<PtxasEntryReport>();
        string? module = null, arch = null, entry = null;
        int stack = 0, spillStores = 0, spillLoads = 0;
        // ptxas also prints "Function properties" for non-inlined device functions: only the
        // stack line that follows the entry's own header belongs to the entry.
        string? propertiesOf = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            Match m;
            if ((m = SectionLine().Match(line)).Success)
            {
                FailIfOpen();
                (module, arch) = (m.Groups[1].Value, m.Groups[2].Value);
            }
            else if ((m = CompilingLine().Match(line)).Success)
            {
                FailIfOpen();
                if (module is null)
                {
                    throw new InvalidDataException($"ptxas report, line {lineNumber}: entry '{m.Groups[1].Value}' appears before any '== module arch ==' header.");
                }

                entry = m.Groups[1].Value;
                (stack, spillStores, spillLoads) = (0, 0, 0);
            }
            else if ((m = PropertiesLine().Match(line)).Success)
            {
                propertiesOf = m.Groups[1].Value;
            }
            else if (entry is not null && propertiesOf == entry && (m = StackLine().Match(line)).Success)
            {
                (stack, spillStores, spillLoads) = (Int(m, 1), Int(m, 2), Int(m, 3));
            }
            else if (entry is not null && (m = UsedLine().Match(line)).Success)
            {
                var smem = SmemPart().Match(line);
                rows.Add(new PtxasEntryReport(module!, arch!, entry, Int(m, 1), stack, spillStores, spillLoads, smem.Success ? Int(smem, 1) : 0));
                entry = null;
            }
        }

        FailIfOpen();
        return new PtxasReport(rows);

        void FailIfOpen()
        {
            if (entry is not null)
            {
                throw new InvalidDataException($"ptxas report, line {lineNumber}: entry '{entry}' of module '{module}' ({arch}) has no 'Used N registers' line.");
            }
        }
    }

    /// <summary>The rows for <paramref name="entry"/> across modules and architectures.</summary>
    public IReadOnlyList<PtxasEntryReport> For(string entry) => Entries.Where(e => e.Entry == entry).ToArray();

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^== (\S+) (\S+) ==$")]
    private static partial Regex SectionLine();

    [GeneratedRegex(@"^ptxas info\s*: Compiling entry function '([^']+)' for '[^']+'$")]
    private static partial Regex CompilingLine();

    [GeneratedRegex(@"^ptxas info\s*: Function properties for (\S+)$")]
    private static partial Regex PropertiesLine();

    [GeneratedRegex(@"^(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads$")]
    private static partial Regex StackLine();

    [GeneratedRegex(@"^ptxas info\s*: Used (\d+) registers")]
    private static partial Regex UsedLine();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex SmemPart();
}
