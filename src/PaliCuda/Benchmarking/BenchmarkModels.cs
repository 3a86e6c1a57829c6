using PaliCuda.Config;

namespace PaliCuda.Benchmarking;

/// <summary>
/// The model shapes benchmarks run: the released PaliGemma 2 sizes on a GPU, and one scaled-down config (the shape of
/// the tiny-pg2 fixture) that exercises every code path on the CPU and the PTX emulator in a fraction of a second.
/// </summary>
public static class BenchmarkModels
{
    public const string TinyName = "tiny";

    /// <summary>Text tokens of a benchmark prompt after the image tokens: BOS, a short task prefix and the newline.</summary>
    public const int PromptTextTokens = 8;

    /// <summary>SigLIP 32 px / 8 px patches (16 image tokens) and a 3-layer Gemma 2 of width 64 with a 320-entry vocabulary.</summary>
    public static PaliGemmaConfig Tiny { get; } = new()
    {
        Vision = new SiglipVisionConfig { HiddenSize = 32, IntermediateSize = 48, NumLayers = 2, NumHeads = 2, ImageSize = 32, PatchSize = 8 },
        Text = new Gemma2TextConfig
        {
            NumLayers = 3,
            HiddenSize = 64,
            IntermediateSize = 128,
            NumHeads = 4,
            NumKeyValueHeads = 2,
            HeadDim = 16,
            QueryPreAttnScalar = 16,
            VocabSize = 320,
            SlidingWindow = 8,
            AttnLogitSoftcapping = 5.0f,
            FinalLogitSoftcapping = 3.0f,
        },
        ImageTokenIndex = 319,
    };

    /// <summary>Released shapes by short name ("3b-224" …) in size order.</summary>
    public static IReadOnlyList<(string Name, PaliGemmaConfig Config)> Released { get; } =
        [.. PaliGemmaModels.All.Select(p => (p.Key.Replace("paligemma2-", "", StringComparison.Ordinal), p.Value))];

    /// <summary>"tiny" or a released short name ("3b-224", or the full "paligemma2-3b-224").</summary>
    public static PaliGemmaConfig ByName(string name)
    {
        if (name == TinyName) return Tiny;
        var shortName = name.Replace("paligemma2-", "", StringComparison.Ordinal);
        foreach (var (n, c) in Released) if (n == shortName) return c;
        throw new ArgumentException($"unknown benchmark model '{name}'; known: {TinyName}, {string.Join(", ", Released.Select(r => r.Name))}", nameof(name));
    }

    /// <summary>Prompt length of a benchmark prompt: every image token plus <see cref="PromptTextTokens"/>.</summary>
    public static int PromptLength(PaliGemmaConfig config) => config.NumImageTokens + PromptTextTokens;
}
