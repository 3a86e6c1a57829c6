using System.Text.Json;

namespace PaliCuda.Verification;

/// <summary>
/// One case of a reference fixture: its inputs, HF's greedy tokens, HF's fp32-vs-fp64 spread per tensor, and the
/// tensors recorded for it (names without the case's prefix, as the engine's taps are named).
/// </summary>
public sealed record FixtureCase(
    string Name,
    string TensorPrefix,
    int[] InputIds,
    int[] GeneratedIds,
    IReadOnlyDictionary<string, double> ObservedFp64Spread,
    IReadOnlyList<string> TensorNames)
{
    /// <summary>
    /// Reads every case of reference.json. The top-level <c>tensors</c> table may name tensors with or without a case's
    /// prefix: a name that starts with this case's (non-empty) prefix is this case's; a name that starts with another
    /// case's prefix belongs to that case; an unprefixed name is recorded for every case under its prefix.
    /// </summary>
    public static IReadOnlyList<FixtureCase> ReadAll(string jsonPath, Func<string, bool> referenceHas)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(jsonPath), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new FixtureFormatException($"reference.json is not valid JSON: {e.Message}", jsonPath, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            var cases = Array(root, "cases", jsonPath);
            var listed = root.TryGetProperty("tensors", out var t) && t.ValueKind == JsonValueKind.Object
                ? t.EnumerateObject().Select(p => p.Name).ToList()
                : throw new FixtureFormatException("reference.json has no 'tensors' object", jsonPath);
            var prefixes = cases.Select(c => OptionalString(c, "tensor_prefix", jsonPath)).ToList();
            return cases.Select((c, i) => Read(c, prefixes[i], prefixes, listed, referenceHas, jsonPath)).ToList();
        }
    }

    private static FixtureCase Read(JsonElement c, string prefix, List<string> prefixes, List<string> listed,
        Func<string, bool> referenceHas, string path)
    {
        var name = OptionalString(c, "name", path) is { Length: > 0 } n ? n : "case";
        var names = new List<string>();
        foreach (var full in listed)
        {
            string? local = null;
            if (prefix.Length > 0 && full.StartsWith(prefix, StringComparison.Ordinal)) local = full[prefix.Length..];
            else if (prefixes.Any(other => other.Length > 0 && other != prefix && full.StartsWith(other, StringComparison.Ordinal))) continue;
            else if (prefix.Length == 0 || referenceHas(prefix + full)) local = full;
            if (local is not null && !names.Contains(local)) names.Add(local);
        }
        return new FixtureCase(name, prefix, Ints(c, "input_ids", path), Ints(c, "generated_ids", path), Observed(c), names);
    }

    private static List<JsonElement> Array(JsonElement e, string key, string path) =>
        e.TryGetProperty(key, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().ToList()
            : throw new FixtureFormatException($"reference.json has no '{key}' array", path);

    private static string OptionalString(JsonElement e, string key, string path) =>
        !e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? ""
        : v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FixtureFormatException($"'{key}' must be a string", path);

    private static int[] Ints(JsonElement e, string key, string path) =>
        Array(e, key, path).Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i : throw new FixtureFormatException($"'{key}' holds a value that is not a 32-bit integer: {v}", path)).ToArray();

    private static Dictionary<string, double> Observed(JsonElement c)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!c.TryGetProperty("observed_max_abs_diff", out var o) || o.ValueKind != JsonValueKind.Object) return result;
        foreach (var p in o.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("fp32_vs_fp64", out var v) && v.ValueKind == JsonValueKind.Number)
                result[p.Name] = v.GetDouble();
        return result;
    }
}
