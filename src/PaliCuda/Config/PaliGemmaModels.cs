namespace PaliCuda.Config;

/// <summary>
/// Configs of the released PaliGemma 2 models (google/paligemma2-{3b,10b,28b}-{pt,mix}-{224,448,896}; pt and mix
/// share a shape). All use SigLIP So400m/14 and the Gemma 2 decoder of the matching size with PaliGemma's
/// 257216-entry vocabulary (Gemma's 256000 plus 1024 location and 128 segmentation tokens, padded) and the
/// <c>&lt;image&gt;</c> token at 257152.
/// </summary>
public static class PaliGemmaModels
{
    public const int Vocabulary = 257216;
    public const int ImageToken = 257152;

    public static PaliGemmaConfig Pg2_3B_224 => Build(Gemma2_2B, 224);
    public static PaliGemmaConfig Pg2_3B_448 => Build(Gemma2_2B, 448);
    public static PaliGemmaConfig Pg2_3B_896 => Build(Gemma2_2B, 896);
    public static PaliGemmaConfig Pg2_10B_224 => Build(Gemma2_9B, 224);
    public static PaliGemmaConfig Pg2_10B_448 => Build(Gemma2_9B, 448);
    public static PaliGemmaConfig Pg2_10B_896 => Build(Gemma2_9B, 896);
    public static PaliGemmaConfig Pg2_28B_224 => Build(Gemma2_27B, 224);
    public static PaliGemmaConfig Pg2_28B_448 => Build(Gemma2_27B, 448);
    public static PaliGemmaConfig Pg2_28B_896 => Build(Gemma2_27B, 896);

    /// <summary>Every released shape by its Hugging Face name stem, e.g. "paligemma2-3b-224".</summary>
    public static IReadOnlyDictionary<string, PaliGemmaConfig> All { get; } = new Dictionary<string, PaliGemmaConfig>
    {
        ["paligemma2-3b-224"] = Pg2_3B_224,
        ["paligemma2-3b-448"] = Pg2_3B_448,
        ["paligemma2-3b-896"] = Pg2_3B_896,
        ["paligemma2-10b-224"] = Pg2_10B_224,
        ["paligemma2-10b-448"] = Pg2_10B_448,
        ["paligemma2-10b-896"] = Pg2_10B_896,
        ["paligemma2-28b-224"] = Pg2_28B_224,
        ["paligemma2-28b-448"] = Pg2_28B_448,
        ["paligemma2-28b-896"] = Pg2_28B_896,
    };

    /// <summary>SigLIP So400m/14 at the given resolution (the position table has one row per patch).</summary>
    public static SiglipVisionConfig So400m(int imageSize) => new()
    {
        HiddenSize = 1152,
        IntermediateSize = 4304,
        NumLayers = 27,
        NumHeads = 16,
        ImageSize = imageSize,
        PatchSize = 14,
    };

    private static Gemma2TextConfig Gemma2_2B => Text(layers: 26, hidden: 2304, intermediate: 9216, heads: 8, kvHeads: 4, headDim: 256, queryScalar: 256);
    private static Gemma2TextConfig Gemma2_9B => Text(layers: 42, hidden: 3584, intermediate: 14336, heads: 16, kvHeads: 8, headDim: 256, queryScalar: 256);
    // 27B scales queries by (hidden / heads)^-0.5 = 144^-0.5, not head_dim^-0.5.
    private static Gemma2TextConfig Gemma2_27B => Text(layers: 46, hidden: 4608, intermediate: 36864, heads: 32, kvHeads: 16, headDim: 128, queryScalar: 144);

    private static Gemma2TextConfig Text(int layers, int hidden, int intermediate, int heads, int kvHeads, int headDim, int queryScalar) => new()
    {
        NumLayers = layers,
        HiddenSize = hidden,
        IntermediateSize = intermediate,
        NumHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = headDim,
        QueryPreAttnScalar = queryScalar,
        VocabSize = Vocabulary,
        SlidingWindow = 4096,
        AttnLogitSoftcapping = 50.0f,
        FinalLogitSoftcapping = 30.0f,
    };

    private static PaliGemmaConfig Build(Gemma2TextConfig text, int imageSize) => new()
    {
        Vision = So400m(imageSize),
        Text = text,
        ImageTokenIndex = ImageToken,
    };
}
