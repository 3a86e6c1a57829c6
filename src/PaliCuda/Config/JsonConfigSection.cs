using System.Text.Json;

namespace PaliCuda.Config;

/// <summary>
/// Typed reads from one JSON object of a config file. Absent fields (and, for plain numbers, JSON null) take the
/// caller's default; present fields of the wrong type are errors naming the file and the dotted field path.
/// </summary>
internal sealed class JsonConfigSection
{
    private readonly JsonElement _element;
    public string FilePath { get; }
    /// <summary>Dotted prefix for field names in errors ("" at the top level, "text_config." inside it).</summary>
    public string Prefix { get; }

    public JsonConfigSection(JsonElement element, string filePath, string prefix)
    {
        _element = element;
        FilePath = filePath;
        Prefix = prefix;
    }

    public string FieldPath(string name) => Prefix + name;

    public ConfigFormatException Error(string name, string message) => new(message, FilePath, FieldPath(name));

    public bool Has(string name) => _element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public bool IsExplicitNull(string name) => _element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null;

    public JsonConfigSection? Section(string name)
    {
        if (!_element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw Error(name, $"expected a JSON object, found {v.ValueKind}");
        return new JsonConfigSection(v, FilePath, FieldPath(name) + ".");
    }

    public string? String(string name)
    {
        if (!_element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw Error(name, $"expected a string, found {v.ValueKind} {v.GetRawText()}");
        return v.GetString();
    }

    /// <summary>An integer; a number with a fractional part or beyond 64 bits is an error.</summary>
    public long? Int64(string name)
    {
        if (!_element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Error(name, $"expected an integer, found {v.ValueKind} {v.GetRawText()}");
        if (v.TryGetInt64(out long value)) return value;
        // JSON writers sometimes emit integral values as 16.0.
        if (v.TryGetDouble(out double d) && Math.Floor(d) == d && Math.Abs(d) < 9.0e15) return (long)d;
        throw Error(name, $"expected an integer, found {v.GetRawText()}");
    }

    public double? Double(string name)
    {
        if (!_element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d))
            throw Error(name, $"expected a number, found {v.ValueKind} {v.GetRawText()}");
        return d;
    }

    public bool? Bool(string name)
    {
        if (!_element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, $"expected true or false, found {v.ValueKind} {v.GetRawText()}"),
        };
    }

    /// <summary>An integer or a list of integers (e.g. <c>eos_token_id</c>); null when absent.</summary>
    public IReadOnlyList<long>? Int64OrList(string name)
    {
        if (!_element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number) return [Int64(name)!.Value];
        if (v.ValueKind != JsonValueKind.Array) throw Error(name, $"expected an integer or a list of integers, found {v.ValueKind}");
        var list = new List<long>();
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long x))
                throw Error($"{name}[{i}]", $"expected an integer, found {item.ValueKind} {item.GetRawText()}");
            list.Add(x);
            i++;
        }
        return list;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public int IntInRange(string name, int fallback, long min, long max)
    {
        long value = Int64(name) ?? fallback;
        if (value < min || value > max)
            throw Error(name, value < min ? $"must be at least {min}, got {value}" : $"is absurdly large ({value} > {max})");
        return (int)value;
    }

    /// <summary>A finite number &gt; 0, or <paramref name="fallback"/> when absent.</summary>
    public double PositiveNumber(string name, double fallback, double max = double.MaxValue)
    {
        double value = Double(name) ?? fallback;
        if (!double.IsFinite(value) || value <= 0 || value > max)
            throw Error(name, $"must be a finite number in (0, {max}], got {value}");
        return value;
    }
}
