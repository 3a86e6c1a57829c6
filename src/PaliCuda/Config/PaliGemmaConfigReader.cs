using System.Text.Json;

namespace PaliCuda.Config;

/// <summary>
/// Reads a Hugging Face PaliGemma <c>config.json</c>, filling absent fields with the defaults transformers 4.47's
/// config classes use, and rejecting anything we cannot run with a <see cref="ConfigFormatException"/> naming
/// the file and the field.
/// </summary>
/// <remarks>
/// Where HF's own defaulting would build a Gemma 1 decoder (no <c>text_config</c>, or one without
/// <c>model_type</c>), we assume Gemma 2 instead: this runtime serves PaliGemma 2 only, and a real Gemma 1
/// checkpoint still fails weight validation because it lacks the pre/post-feed-forward norms.
/// HF leaves <c>text_config.vocab_size</c> at Gemma2Config's 256000 when the section exists without it, and uses
/// the top-level vocab size only when the whole section is absent; we do the same. The top-level
/// <c>hidden_size</c> is stale in released configs and is ignored.
/// </remarks>
public static class PaliGemmaConfigReader
{
    // Bounds far beyond any real model; they catch corrupt files before we size buffers from them.
    private const long MaxWidth = 1 << 20;
    private const long MaxLayers = 100_000;
    private const long MaxHeads = 1 << 16;
    private const long MaxVocab = 1 << 24;
    private const long MaxImageSize = 1 << 14;
    private const long MaxPositions = 1 << 24;
    private const double MaxRopeTheta = 1e12;

    private const string SupportedActivation = "gelu_pytorch_tanh";

    /// <summary>
    /// Largest config.json / generation_config.json accepted, checked before the file is read. Real ones are a few
    /// kilobytes; 1 MiB leaves room for any comment or extra field and stops a mistaken multi-gigabyte file early.
    /// </summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Deepest JSON nesting accepted (real configs nest 2 levels; System.Text.Json's own default is 64).</summary>
    public const int MaxJsonDepth = 32;

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxJsonDepth,
    };

    public static PaliGemmaConfig Read(string configJsonPath)
    {
        var path = Path.GetFullPath(configJsonPath);
        if (!File.Exists(path))
            throw new ConfigFormatException("config file does not exist", path);
        using var document = ParseFile(path);
        return Read(document.RootElement, path);
    }

    /// <summary>Parses config JSON text; <paramref name="sourceName"/> names it in errors.</summary>
    public static PaliGemmaConfig Parse(string json, string sourceName)
    {
        using var document = ParseText(json, sourceName);
        return Read(document.RootElement, sourceName);
    }

    internal static JsonDocument ParseFile(string path)
    {
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new ConfigFormatException($"file has {length} bytes, more than the limit of {MaxFileBytes} (PaliGemmaConfigReader.MaxFileBytes)", path);
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFormatException($"cannot read config file: {e.Message}", path, inner: e);
        }
        // JsonDocument checks structure only; invalid UTF-8 inside a string would surface later, on GetString.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new ConfigFormatException("not valid JSON: invalid UTF-8 bytes", path);
        try { return JsonDocument.Parse(bytes, JsonOptions); }
        catch (JsonException e) { throw new ConfigFormatException($"not valid JSON: {e.Message}", path, inner: e); }
    }

    internal static JsonDocument ParseText(string json, string sourceName)
    {
        if (json.Length > MaxFileBytes)
            throw new ConfigFormatException($"text has {json.Length} characters, more than the limit of {MaxFileBytes} (PaliGemmaConfigReader.MaxFileBytes)", sourceName);
        try { return JsonDocument.Parse(json, JsonOptions); }
        catch (JsonException e) { throw new ConfigFormatException($"not valid JSON: {e.Message}", sourceName, inner: e); }
    }

    private static PaliGemmaConfig Read(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigFormatException($"config must be a JSON object, found {root.ValueKind}", path);
        var top = new JsonConfigSection(root, path, "");

        var modelType = top.String("model_type");
        if (modelType != "paligemma")
            throw top.Error("model_type", $"expected \"paligemma\", found {(modelType is null ? "nothing" : $"\"{modelType}\"")}");

        // 4.47 serialises the top-level vocab size as "_vocab_size"; older configs wrote "vocab_size".
        long topVocab = top.Int64("vocab_size") ?? top.Int64("_vocab_size") ?? 257152;
        var text = ReadText(top.Section("text_config"), top, (int)Math.Clamp(topVocab, 1, MaxVocab));
        var vision = ReadVision(top.Section("vision_config"));

        if (top.Has("projection_dim"))
        {
            long projection = top.Int64("projection_dim")!.Value;
            if (projection != text.HiddenSize)
                throw top.Error("projection_dim", $"projector output {projection} must equal text_config.hidden_size {text.HiddenSize}");
        }

        long imageToken = top.Int64("image_token_index") ?? 256000;
        if (imageToken < 0 || imageToken >= text.VocabSize)
            throw top.Error("image_token_index", $"{imageToken} is outside the text vocabulary [0, {text.VocabSize})");

        return new PaliGemmaConfig
        {
            Vision = vision,
            Text = text,
            ImageTokenIndex = (int)imageToken,
            BosTokenId = TokenId(top, "bos_token_id", 2, text.VocabSize),
            EosTokenId = TokenId(top, "eos_token_id", 1, text.VocabSize),
            PadTokenId = TokenId(top, "pad_token_id", 0, text.VocabSize),
        };
    }

    private static int TokenId(JsonConfigSection top, string name, int fallback, int vocab)
    {
        var ids = top.Int64OrList(name);
        long id = ids is null || ids.Count == 0 ? fallback : ids[0];
        if (id < 0 || id >= vocab)
            throw top.Error(name, $"{id} is outside the text vocabulary [0, {vocab})");
        return (int)id;
    }

    private static Gemma2TextConfig ReadText(JsonConfigSection? section, JsonConfigSection top, int topVocab)
    {
        // An absent section reads every field as absent, so the defaults below apply; errors name the top level.
        var s = section ?? new JsonConfigSection(JsonDocument.Parse("{}").RootElement.Clone(), top.FilePath, "text_config.");
        var textType = s.String("model_type") ?? "gemma2";
        if (textType == "gemma")
            throw s.Error("model_type", "text model \"gemma\" (Gemma 1, i.e. PaliGemma 1) is not supported: only PaliGemma 2 with a \"gemma2\" decoder is");
        if (textType != "gemma2")
            throw s.Error("model_type", $"expected \"gemma2\", found \"{textType}\"");

        int vocab = s.IntInRange("vocab_size", section is null ? topVocab : 256000, 1, MaxVocab);
        int hidden = s.IntInRange("hidden_size", 2304, 1, MaxWidth);
        int intermediate = s.IntInRange("intermediate_size", 9216, 1, MaxWidth);
        int layers = s.IntInRange("num_hidden_layers", 26, 1, MaxLayers);
        int heads = s.IntInRange("num_attention_heads", 8, 1, MaxHeads);
        int kvHeads = s.IntInRange("num_key_value_heads", 4, 1, MaxHeads);
        int headDim = s.IntInRange("head_dim", 256, 1, MaxWidth);
        if (heads % kvHeads != 0)
            throw s.Error("num_key_value_heads", $"{kvHeads} key/value heads do not divide {heads} attention heads");
        if ((long)heads * headDim > MaxWidth)
            throw s.Error("head_dim", $"num_attention_heads × head_dim = {(long)heads * headDim} is absurdly large");

        var activation = s.String("hidden_activation") ?? SupportedActivation;
        if (activation != SupportedActivation)
            throw s.Error("hidden_activation", $"only \"{SupportedActivation}\" is supported, found \"{activation}\"");

        return new Gemma2TextConfig
        {
            VocabSize = vocab,
            HiddenSize = hidden,
            IntermediateSize = intermediate,
            NumLayers = layers,
            NumHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            QueryPreAttnScalar = (float)s.PositiveNumber("query_pre_attn_scalar", 256, MaxWidth),
            SlidingWindow = s.IntInRange("sliding_window", 4096, 1, MaxPositions),
            AttnLogitSoftcapping = Softcap(s, "attn_logit_softcapping", 50.0),
            FinalLogitSoftcapping = Softcap(s, "final_logit_softcapping", 30.0),
            RmsNormEps = (float)s.PositiveNumber("rms_norm_eps", 1e-6, 1.0),
            RopeTheta = (float)s.PositiveNumber("rope_theta", 10000, MaxRopeTheta),
            MaxPositionEmbeddings = s.IntInRange("max_position_embeddings", 8192, 1, MaxPositions),
            HiddenActivation = activation,
        };
    }

    /// <summary>Absent → HF's default; explicit JSON null → no capping.</summary>
    private static float? Softcap(JsonConfigSection s, string name, double fallback) =>
        s.IsExplicitNull(name) ? null : (float)s.PositiveNumber(name, fallback);

    private static SiglipVisionConfig ReadVision(JsonConfigSection? section)
    {
        if (section is null)
        {
            // What PaliGemmaConfig builds when vision_config is absent (note its 4096-wide MLP, unlike So400m's 4304).
            return new SiglipVisionConfig
            {
                HiddenSize = 1152, IntermediateSize = 4096, NumLayers = 27, NumHeads = 16, ImageSize = 224, PatchSize = 14,
            };
        }
        var s = section;
        var visionType = s.String("model_type") ?? "siglip_vision_model";
        if (visionType != "siglip_vision_model")
            throw s.Error("model_type", $"expected \"siglip_vision_model\", found \"{visionType}\"");

        int hidden = s.IntInRange("hidden_size", 768, 1, MaxWidth);
        int heads = s.IntInRange("num_attention_heads", 12, 1, MaxHeads);
        if (hidden % heads != 0)
            throw s.Error("num_attention_heads", $"{heads} heads do not divide hidden_size {hidden}");
        int imageSize = s.IntInRange("image_size", 224, 1, MaxImageSize);
        int patch = s.IntInRange("patch_size", 16, 1, MaxImageSize);
        if (imageSize % patch != 0)
            throw s.Error("patch_size", $"image_size {imageSize} is not a multiple of patch_size {patch}");
        var activation = s.String("hidden_act") ?? SupportedActivation;
        if (activation != SupportedActivation)
            throw s.Error("hidden_act", $"only \"{SupportedActivation}\" is supported, found \"{activation}\"");

        return new SiglipVisionConfig
        {
            HiddenSize = hidden,
            IntermediateSize = s.IntInRange("intermediate_size", 3072, 1, MaxWidth),
            NumLayers = s.IntInRange("num_hidden_layers", 12, 1, MaxLayers),
            NumHeads = heads,
            ImageSize = imageSize,
            PatchSize = patch,
            NumChannels = s.IntInRange("num_channels", 3, 1, 4),
            LayerNormEps = (float)s.PositiveNumber("layer_norm_eps", 1e-6, 1.0),
            HiddenAct = activation,
        };
    }
}
