using PaliCuda.Config;
using PaliCuda.Graph;

namespace PaliCuda.Model;

/// <summary>
/// PaliGemma (HF <c>PaliGemmaForConditionalGeneration</c>, 4.47) as recorded graphs:
/// <code>
/// image_features = projector(siglip(pixels)) / √hidden
/// inputs_embeds  = embed_tokens[ids] with the image-token rows replaced by image_features (in order)
/// logits         = gemma2(inputs_embeds) with positions = cache position + 1
/// </code>
/// The prefill graph runs the whole prompt (bidirectional) and fills the KV cache; the decode graph runs one token
/// whose id and cache position are graph inputs, so the same graph is reused at every step.
/// </summary>
public sealed class PaliGemmaModel
{
    /// <summary>PaliGemma's position ids are 1-based: position = cache position + 1.</summary>
    public const int PositionOffset = 1;
    public const string PixelValues = "pixel_values";
    public const string InputIds = "input_ids";
    public const string CachePosition = "cache_position";
    public const string PrefixLength = "prefix_length";
    /// <summary>The real prompt length L (I32 [1]) of a prefill recorded for a padded prompt (see <see cref="RecordPrefill"/>).</summary>
    public const string PromptLength = "prompt_length";
    /// <summary>Soft-capped logits of the last row [1, V].</summary>
    public const string LastLogits = "last_logits";
    /// <summary>The chosen next id (I32 [1]): the greedy argmax, or the sampled token when the graph samples.</summary>
    public const string NextToken = "next_token";
    /// <summary>
    /// Sampling graphs only: the step's controls (F32 [1, 4] = u, temperature, top-k, top-p; <see cref="Graph.SampleControls"/>),
    /// written before every run. Being an input, not part of the recording, one graph samples with every setting.
    /// </summary>
    public const string SampleControls = "sample_controls";

    public PaliGemmaConfig Config { get; }
    public SiglipVisionTower Vision { get; }
    public MultiModalProjector Projector { get; }
    public Gemma2Decoder Decoder { get; }

    public PaliGemmaModel(PaliGemmaConfig config, SlidingWindowSemantics semantics = SlidingWindowSemantics.WindowAlways,
        NormalizerDType normalizerDType = NormalizerDType.F32)
    {
        Config = config;
        Vision = new SiglipVisionTower(config.Vision);
        Projector = new MultiModalProjector(config.Vision.HiddenSize, config.Text.HiddenSize);
        Decoder = new Gemma2Decoder(config.Text, semantics, normalizerDType);
    }

    /// <summary>
    /// Ids that may be generated: [0, min(vocab, image_token_index)). Real checkpoints put &lt;image&gt; at 257152 and
    /// pad the vocabulary to 257216 with untrained rows after it; neither is ever a sensible output.
    /// </summary>
    public int EmittableVocab => Math.Min(Config.Text.VocabSize, Config.ImageTokenIndex);

    /// <summary>
    /// Prefill over a prompt of up to <paramref name="promptCapacity"/> ids holding exactly NumImageTokens image tokens.
    /// Inputs: pixel_values [C, S, S], input_ids [T], cache_position (0..T−1) [T], prefix_length [1] (the real prompt
    /// length L), and without <paramref name="allLogits"/> also prompt_length [1] (L again), where T = promptCapacity.
    /// With <paramref name="allLogits"/> every row's logits are computed ("logits_before_softcap", "logits" [T, V]) and
    /// the last row is row T − 1: the verification path, recorded for the exact prompt length. Otherwise only row L − 1
    /// reaches the LM head, chosen on the device (<see cref="GraphBuilder.GatherLastRow"/>), so one recorded graph
    /// serves every prompt length L ≤ T of a shape class. Always produces <see cref="LastLogits"/> and <see cref="NextToken"/>:
    /// the argmax, or with <paramref name="sampling"/> the token drawn with the <see cref="SampleControls"/> input.
    /// </summary>
    /// <remarks>
    /// <para><b>Why padding a prompt to T is harmless.</b> The ids after the real L are pad ids at cache positions
    /// L..T−1, and prefix_length stays L. (1) The real rows never see them: a query q &lt; L sees key j only if j &lt; L
    /// (the bidirectional prefix) or j ≤ q &lt; L (<see cref="AttentionMaskSpec.IsVisible"/>; a sliding window only removes
    /// keys), so every row &lt; L computes what an exact-length prefill computes, and every other op is row-wise. (2) The
    /// padded rows write K/V to cache slots [L, T), but no query ever reads them before they are overwritten: decode step
    /// p (cache position p ≥ L) writes slot p before its attention, which reads keys below max(L, p + 1) only
    /// (<see cref="AttentionMaskSpec.KeyLimit"/>, the bound the CPU attention and every GPU attention kernel loop to).</para>
    /// </remarks>
    public ComputeGraph RecordPrefill(int promptCapacity, int cacheCapacity, bool allLogits, bool sampling = false)
    {
        if (promptCapacity < Config.NumImageTokens + 1)
            throw new ModelInputException($"a prompt needs the {Config.NumImageTokens} image tokens and at least one text token; got {promptCapacity} ids");
        if (cacheCapacity < promptCapacity)
            throw new ModelInputException($"KV cache capacity {cacheCapacity} is below the prompt capacity {promptCapacity}");
        var v = Config.Vision;
        var g = new GraphBuilder();
        var pixels = g.Input(PixelValues, BufferDType.F32, v.NumChannels, v.ImageSize, v.ImageSize);
        var ids = g.Input(InputIds, BufferDType.I32, promptCapacity);
        var positions = g.Input(CachePosition, BufferDType.I32, promptCapacity);
        var prefix = g.Input(PrefixLength, BufferDType.I32, 1);

        var visionOut = Vision.Record(g, pixels);
        var projected = Projector.Record(g, visionOut);
        var features = g.Scale(projected, MathF.Sqrt(Config.Text.HiddenSize), divide: true, "image_features");
        var tokenEmbeds = Decoder.Embed(g, ids, "token_embeds");
        var embeds = g.ScatterImageFeatures(tokenEmbeds, ids, features, Config.ImageTokenIndex, "inputs_embeds");
        var hidden = Decoder.RecordLayers(g, embeds, positions, prefix, cacheCapacity);

        BufferId last;
        if (allLogits)
        {
            var logits = Decoder.RecordLmHead(g, hidden, "logits_before_softcap", "logits");
            last = g.SliceRows(logits, promptCapacity - 1, 1, LastLogits);
        }
        else
        {
            var length = g.Input(PromptLength, BufferDType.I32, 1);
            var lastHidden = g.GatherLastRow(hidden, length, "last_hidden");
            last = Decoder.RecordLmHead(g, lastHidden, "last_logits_before_softcap", LastLogits);
        }
        RecordNextToken(g, last, sampling);
        return g.Build();
    }

    /// <summary>
    /// One decode step: inputs input_ids [1], cache_position [1] (prompt length + tokens generated before it),
    /// prefix_length [1] (and <see cref="SampleControls"/> [1, 4] with <paramref name="sampling"/>); outputs
    /// <see cref="LastLogits"/> and <see cref="NextToken"/>.
    /// </summary>
    public ComputeGraph RecordDecode(int cacheCapacity, bool sampling = false)
    {
        var g = new GraphBuilder();
        var ids = g.Input(InputIds, BufferDType.I32, 1);
        var positions = g.Input(CachePosition, BufferDType.I32, 1);
        var prefix = g.Input(PrefixLength, BufferDType.I32, 1);
        var embeds = Decoder.Embed(g, ids, "inputs_embeds");
        var hidden = Decoder.RecordLayers(g, embeds, positions, prefix, cacheCapacity);
        var last = Decoder.RecordLmHead(g, hidden, "last_logits_before_softcap", LastLogits);
        RecordNextToken(g, last, sampling);
        return g.Build();
    }

    /// <summary>The greedy argmax over the emittable ids, or (with <paramref name="sampling"/>) the sampled token.</summary>
    private void RecordNextToken(GraphBuilder g, BufferId last, bool sampling)
    {
        if (sampling) g.Sample(last, EmittableVocab, g.Input(SampleControls, BufferDType.F32, 1, Graph.SampleControls.Width), NextToken);
        else g.ArgMax(last, EmittableVocab, NextToken);
    }
}
