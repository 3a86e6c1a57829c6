using System.Text;
using System.Text.Json;
using PaliCuda.Checkpoint;

namespace PaliCuda.Quantization;

/// <summary>
/// How a quantized checkpoint records itself in the safetensors <c>__metadata__</c> (all values are strings):
/// <list type="bullet">
/// <item><c>palicuda.quantization.version</c> — the packing version, "1" (the layouts documented on the formats);</item>
/// <item><c>palicuda.quantization.plan</c> — the format per part, e.g. "vision=bf16,projector=bf16,decoder=int4,embedding=int8";</item>
/// <item><c>palicuda.quantization.int4_group_size</c> — "128";</item>
/// <item><c>palicuda.quantization.tensors</c> — a JSON object naming every packed weight with its format and logical
/// [out, in] shape: <c>{"language_model.model.layers.0.mlp.up_proj.weight": {"format": "int4", "shape": [9216, 2304]}}</c>.
/// The weight itself is stored as <c>&lt;name&gt;.qweight</c> and <c>&lt;name&gt;.scales</c>.</item>
/// </list>
/// </summary>
public static class QuantizationMetadata
{
    public const string VersionKey = "palicuda.quantization.version";
    public const string PlanKey = "palicuda.quantization.plan";
    public const string GroupSizeKey = "palicuda.quantization.int4_group_size";
    public const string TensorsKey = "palicuda.quantization.tensors";
    public const string KeyPrefix = "palicuda.quantization.";
    public const string CurrentVersion = "1";
    public const string DataSuffix = ".qweight";
    public const string ScalesSuffix = ".scales";

    /// <summary>The metadata entries for a file holding <paramref name="packed"/> (logical name → format and [out, in]).</summary>
    public static Dictionary<string, string> Create(QuantizationPlan plan, IEnumerable<(string Name, WeightFormat Format, long Rows, long Columns)> packed)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, format, rows, columns) in packed)
            {
                json.WriteStartObject(name);
                json.WriteString("format", format.ToName());
                json.WriteStartArray("shape");
                json.WriteNumberValue(rows);
                json.WriteNumberValue(columns);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [VersionKey] = CurrentVersion,
            [PlanKey] = plan.ToString(),
            [GroupSizeKey] = Int4GroupFormat.GroupSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TensorsKey] = Encoding.UTF8.GetString(buffer.ToArray()),
        };
    }

    /// <summary>One packed weight as the metadata declares it.</summary>
    public sealed record PackedEntry(string Name, WeightFormat Format, long Rows, long Columns);

    /// <summary>Parses and checks the metadata; null when the file is not quantized.</summary>
    public static (QuantizationPlan Plan, IReadOnlyList<PackedEntry> Entries)? Read(IReadOnlyDictionary<string, string> metadata, string filePath)
    {
        if (!metadata.TryGetValue(VersionKey, out var version))
        {
            var stray = metadata.Keys.FirstOrDefault(k => k.StartsWith(KeyPrefix, StringComparison.Ordinal));
            if (stray is not null)
                throw new CheckpointFormatException($"metadata has '{stray}' but no '{VersionKey}'", filePath);
            return null;
        }
        if (version != CurrentVersion)
            throw new CheckpointFormatException($"unsupported quantization packing version '{version}' (this runtime reads version {CurrentVersion})", filePath);
        if (!metadata.TryGetValue(PlanKey, out var planText) || QuantizationPlan.TryParse(planText) is not { } plan)
            throw new CheckpointFormatException($"'{PlanKey}' is missing or malformed (expected e.g. \"{QuantizationPlan.ForWeights(WeightFormat.Int4)}\")", filePath);
        if (!metadata.TryGetValue(GroupSizeKey, out var groupText) || groupText != Int4GroupFormat.GroupSize.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new CheckpointFormatException($"'{GroupSizeKey}' is '{groupText ?? "(missing)"}'; packing version {CurrentVersion} uses groups of {Int4GroupFormat.GroupSize}", filePath);
        if (!metadata.TryGetValue(TensorsKey, out var tensorsText))
            throw new CheckpointFormatException($"'{TensorsKey}' is missing", filePath);
        return (plan, ParseEntries(tensorsText, filePath));
    }

    private static List<PackedEntry> ParseEntries(string text, string filePath)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw new CheckpointFormatException($"'{TensorsKey}' is not valid JSON: {e.Message}", filePath, inner: e); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException($"'{TensorsKey}' must be a JSON object", filePath);
            var entries = new List<PackedEntry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var e = property.Value;
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("format", out var f) || f.ValueKind != JsonValueKind.String)
                    throw new CheckpointFormatException($"'{TensorsKey}' entry needs a string 'format'", filePath, property.Name);
                if (!WeightFormats.TryParse(f.GetString(), out var format) || !format.IsQuantized())
                    throw new CheckpointFormatException($"unknown packed format '{f.GetString()}' (expected int8, int4 or fp8)", filePath, property.Name);
                if (!e.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() != 2
                    || !s[0].TryGetInt32(out var rows) || !s[1].TryGetInt32(out var columns) || rows <= 0 || columns <= 0)
                    throw new CheckpointFormatException($"'{TensorsKey}' entry needs 'shape' as two positive integers [out, in]", filePath, property.Name);
                if (entries.Any(x => x.Name == property.Name))
                    throw new CheckpointFormatException($"'{TensorsKey}' lists the tensor twice", filePath, property.Name);
                entries.Add(new PackedEntry(property.Name, format, rows, columns));
            }
            return entries;
        }
    }
}
