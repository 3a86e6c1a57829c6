using System.Text.Json;

namespace PaliCuda.Config;

/// <summary>Reads <c>generation_config.json</c>; fields of the wrong type or range are <see cref="ConfigFormatException"/>s.</summary>
public static class GenerationConfigReader
{
    private const long MaxTokenId = 1 << 24;
    private const long MaxLength = 1 << 24;

    public static GenerationConfig Read(string generationConfigJsonPath)
    {
        var path = Path.GetFullPath(generationConfigJsonPath);
        if (!File.Exists(path))
            throw new ConfigFormatException("generation config file does not exist", path);
        using var document = PaliGemmaConfigReader.ParseFile(path);
        return Read(document.RootElement, path);
    }

    public static GenerationConfig Parse(string json, string sourceName)
    {
        using var document = PaliGemmaConfigReader.ParseText(json, sourceName);
        return Read(document.RootElement, sourceName);
    }

    private static GenerationConfig Read(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigFormatException($"generation config must be a JSON object, found {root.ValueKind}", path);
        var s = new JsonConfigSection(root, path, "");
        var eos = s.Int64OrList("eos_token_id") ?? [];
        foreach (var id in eos)
            if (id < 0 || id > MaxTokenId) throw s.Error("eos_token_id", $"token id {id} is out of range");

        return new GenerationConfig
        {
            EosTokenIds = eos.Select(id => (int)id).ToArray(),
            BosTokenId = OptionalInt(s, "bos_token_id", 0, MaxTokenId),
            PadTokenId = OptionalInt(s, "pad_token_id", 0, MaxTokenId),
            MaxLength = OptionalInt(s, "max_length", 1, MaxLength),
            MaxNewTokens = OptionalInt(s, "max_new_tokens", 0, MaxLength),
            DoSample = s.Bool("do_sample"),
            Temperature = OptionalFloat(s, "temperature", allowZero: true),
            TopK = OptionalInt(s, "top_k", 0, MaxTokenId),
            TopP = OptionalProbability(s, "top_p"),
            RepetitionPenalty = OptionalFloat(s, "repetition_penalty", allowZero: false),
            CacheImplementation = s.String("cache_implementation"),
        };
    }

    private static int? OptionalInt(JsonConfigSection s, string name, long min, long max)
    {
        long? value = s.Int64(name);
        if (value is null) return null;
        if (value < min || value > max) throw s.Error(name, $"{value} is outside [{min}, {max}]");
        return (int)value;
    }

    private static float? OptionalFloat(JsonConfigSection s, string name, bool allowZero)
    {
        double? value = s.Double(name);
        if (value is null) return null;
        if (!double.IsFinite(value.Value) || value < 0 || (!allowZero && value == 0))
            throw s.Error(name, $"must be a finite number {(allowZero ? ">= 0" : "> 0")}, got {value}");
        return (float)value;
    }

    private static float? OptionalProbability(JsonConfigSection s, string name)
    {
        double? value = s.Double(name);
        if (value is null) return null;
        if (!(value > 0 && value <= 1)) throw s.Error(name, $"must be in (0, 1], got {value}");
        return (float)value;
    }
}
