using System.Globalization;

namespace PaliCuda.Benchmarking;

/// <summary>
/// One benchmarkable op at one shape: the op name (a <see cref="KernelOps"/> name), where the shape comes from
/// (e.g. "3b-224 decoder prefill") and its integer dimensions by name (matmul: m, n, k; attention: q, kv, heads,
/// kv_heads, head_dim; row ops: rows, cols). Text form: "m=256,n=2304,k=1152".
/// </summary>
public sealed record OpShape(string Op, string Source, IReadOnlyDictionary<string, int> Dims)
{
    /// <summary>The dimension <paramref name="name"/>; throws naming the op and the dimensions it has when absent.</summary>
    public int this[string name] => Dims.TryGetValue(name, out var v)
        ? v
        : throw new ArgumentException($"op '{Op}' shape {DimsText} has no dimension '{name}'");

    public int GetOrDefault(string name, int fallback) => Dims.TryGetValue(name, out var v) ? v : fallback;

    public string DimsText => string.Join(",", Dims.Select(d => $"{d.Key}={d.Value.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>Source and dimensions, the name a benchmark case is shown under.</summary>
    public override string ToString() => $"{Source} [{DimsText}]";

    public static OpShape Of(string op, string source, params (string Name, int Value)[] dims) =>
        new(op, source, dims.ToDictionary(d => d.Name, d => d.Value, StringComparer.Ordinal));

    /// <summary>
    /// Parses "name=value,name=value" for <paramref name="op"/>; every dimension the op needs must be present and positive
    /// (<see cref="KernelOps.RequiredDims"/>), unknown names are refused.
    /// </summary>
    public static OpShape Parse(string op, string text)
    {
        var required = KernelOps.RequiredDims(op);
        var optional = KernelOps.OptionalDims(op);
        var dims = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"shape part '{part}' is not name=value (shape '{text}')");
            var name = part[..eq].Trim();
            if (!required.Contains(name) && !optional.Contains(name))
                throw new FormatException($"op '{op}' has no dimension '{name}'; it takes {string.Join(", ", required.Concat(optional))} (shape '{text}')");
            if (!int.TryParse(part[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
                throw new FormatException($"dimension '{name}' in shape '{text}' must be a positive integer");
            if (!dims.TryAdd(name, value)) throw new FormatException($"dimension '{name}' is given twice in shape '{text}'");
        }
        var missing = required.Where(r => !dims.ContainsKey(r)).ToList();
        if (missing.Count > 0) throw new FormatException($"shape '{text}' for op '{op}' lacks {string.Join(", ", missing)}");
        return new OpShape(op, "custom", dims);
    }
}
