using PaliCuda.Config;
using PaliCuda.Graph;
using PaliCuda.Numerics;

namespace PaliCuda.Model;

/// <summary>
/// Gemma 2 decoder (HF <c>Gemma2Model</c> + tied LM head). With RMSNorm(x) = x·rsqrt(mean(x²)+eps)·(1+w):
/// <code>
/// x = inputs_embeds · normalizer                        (normalizer = √hidden in NormalizerDType)
/// per layer i:  h   = x + post_attention_layernorm(o_proj(attn_i(input_layernorm(x))))
///               out = h + post_feedforward_layernorm(down(gelu_tanh(gate(hn)) ⊙ up(hn))),  hn = pre_feedforward_layernorm(h)
/// logits = final_cap · tanh(embed_tokens · final_norm(x) / final_cap)
/// </code>
/// attn_i: RoPE (1-based positions) on q and k, grouped-query attention with scores·query_pre_attn_scalar^-0.5,
/// soft cap c·tanh(s/c) before the mask, PaliGemma prefix mask, sliding window on even layers.
/// K and V go to a preallocated cache [kv_heads, capacity, head_dim] per layer before attention reads it.
/// </summary>
public sealed class Gemma2Decoder
{
    public const string Prefix = "language_model.model.";
    public const string EmbedTokens = Prefix + "embed_tokens.weight";
    private readonly Gemma2TextConfig _c;
    private readonly SlidingWindowSemantics _semantics;

    /// <summary>The embedding multiplier √hidden as the model materialises it.</summary>
    public float Normalizer { get; }

    public Gemma2Decoder(Gemma2TextConfig config, SlidingWindowSemantics semantics, NormalizerDType normalizerDType)
    {
        if (config.HiddenActivation is not ("gelu_pytorch_tanh" or "gelu_tanh"))
            throw new NotSupportedException($"text hidden_activation '{config.HiddenActivation}' is not supported (expected gelu_pytorch_tanh)");
        if (config.NumKeyValueHeads <= 0 || config.NumHeads % config.NumKeyValueHeads != 0)
            throw new NotSupportedException($"{config.NumHeads} attention heads are not a multiple of {config.NumKeyValueHeads} kv heads");
        _c = config;
        _semantics = semantics;
        var n = (float)Math.Sqrt(config.HiddenSize);
        Normalizer = normalizerDType == NormalizerDType.BF16 ? (float)(BFloat16)n : n;
    }

    /// <summary>"inputs_embeds" rows for <paramref name="ids"/>: embed_tokens[id] (before the normalizer).</summary>
    public BufferId Embed(GraphBuilder g, BufferId ids, string name) =>
        g.EmbeddingGather(EmbedTokenTable(g), ids, name);

    /// <summary>
    /// Records normalizer, all layers and the final norm over <paramref name="inputsEmbeds"/> [T, D] whose tokens sit
    /// at <paramref name="cachePositions"/>; returns the normalised last hidden state [T, D].
    /// Names "hidden_states.{i}" and "layer_output.{i}" as in the fixtures.
    /// </summary>
    public BufferId RecordLayers(GraphBuilder g, BufferId inputsEmbeds, BufferId cachePositions, BufferId prefixLength, int cacheCapacity)
    {
        var x = g.Scale(inputsEmbeds, Normalizer, divide: false, "hidden_states.0");
        for (var i = 0; i < _c.NumLayers; i++)
        {
            x = RecordLayer(g, x, i, cachePositions, prefixLength, cacheCapacity);
            if (i < _c.NumLayers - 1) g.Alias(x, $"hidden_states.{i + 1}");
        }
        var normW = g.Weight(Prefix + "norm.weight", _c.HiddenSize); // [D]
        return g.RmsNorm(x, normW, _c.RmsNormEps, $"hidden_states.{_c.NumLayers}");
    }

    /// <summary>Tied LM head and final soft cap: [T, D] → (<paramref name="rawName"/>, <paramref name="name"/>) [T, V].</summary>
    public BufferId RecordLmHead(GraphBuilder g, BufferId hidden, string rawName, string name)
    {
        var raw = g.MatMul(hidden, EmbedTokenTable(g), null, rawName);
        return _c.FinalLogitSoftcapping is { } cap ? g.SoftCap(raw, cap, name) : g.Scale(raw, 1f, false, name);
    }

    /// <summary>The KV cache state buffers of layer <paramref name="layer"/>: [kv_heads, capacity, head_dim] each.</summary>
    public static (string Key, string Value) CacheNames(int layer) => ($"kv.{layer}.k", $"kv.{layer}.v");

    /// <summary>The attention mask rule of layer <paramref name="layer"/> (sliding window on even layers).</summary>
    public AttentionMaskSpec MaskFor(int layer) =>
        AttentionMaskSpec.PrefixCausal(_c.IsSlidingLayer(layer) ? _c.SlidingWindow : null, _semantics);

    private BufferId EmbedTokenTable(GraphBuilder g) => g.Weight(EmbedTokens, _c.VocabSize, _c.HiddenSize); // [V, D]

    private BufferId RecordLayer(GraphBuilder g, BufferId x, int i, BufferId cachePositions, BufferId prefixLength, int capacity)
    {
        int d = _c.HiddenSize, ff = _c.IntermediateSize, qd = _c.QueryDim, kvd = _c.KeyValueDim;
        var w = $"{Prefix}layers.{i}.";
        var n = $"text.{i}.";
        var inNorm = g.Weight(w + "input_layernorm.weight", d);                 // [D]
        var qW = g.Weight(w + "self_attn.q_proj.weight", qd, d);                // [H·hd, D]
        var kW = g.Weight(w + "self_attn.k_proj.weight", kvd, d);               // [KvH·hd, D]
        var vW = g.Weight(w + "self_attn.v_proj.weight", kvd, d);               // [KvH·hd, D]
        var oW = g.Weight(w + "self_attn.o_proj.weight", d, qd);                // [D, H·hd]
        var postAttnNorm = g.Weight(w + "post_attention_layernorm.weight", d);  // [D]
        var preFfNorm = g.Weight(w + "pre_feedforward_layernorm.weight", d);    // [D]
        var gateW = g.Weight(w + "mlp.gate_proj.weight", ff, d);                // [FF, D]
        var upW = g.Weight(w + "mlp.up_proj.weight", ff, d);                    // [FF, D]
        var downW = g.Weight(w + "mlp.down_proj.weight", d, ff);                // [D, FF]
        var postFfNorm = g.Weight(w + "post_feedforward_layernorm.weight", d);  // [D]
        var (kName, vName) = CacheNames(i);
        var kCache = g.State(kName, _c.NumKeyValueHeads, capacity, _c.HeadDim);
        var vCache = g.State(vName, _c.NumKeyValueHeads, capacity, _c.HeadDim);

        var h = g.RmsNorm(x, inNorm, _c.RmsNormEps, n + "input_norm");
        var q = g.MatMul(h, qW, null, n + "q");
        var k = g.MatMul(h, kW, null, n + "k");
        var v = g.MatMul(h, vW, null, n + "v");
        q = g.Rope(q, cachePositions, PaliGemmaModel.PositionOffset, _c.NumHeads, _c.HeadDim, _c.RopeTheta, n + "q_rope");
        k = g.Rope(k, cachePositions, PaliGemmaModel.PositionOffset, _c.NumKeyValueHeads, _c.HeadDim, _c.RopeTheta, n + "k_rope");
        g.KvCacheWrite(k, cachePositions, kCache);
        g.KvCacheWrite(v, cachePositions, vCache);
        var mask = MaskFor(i);
        var attnParams = new AttentionParams(_c.NumHeads, _c.NumKeyValueHeads, _c.HeadDim, 1f / MathF.Sqrt(_c.QueryPreAttnScalar),
            _c.AttnLogitSoftcapping, mask, KvLayout.HeadMajorCache);
        var a = g.Attention(q, kCache, vCache, cachePositions, prefixLength, attnParams, n + "attn");
        var o = g.MatMul(a, oW, null, n + "attn_out");
        o = g.RmsNorm(o, postAttnNorm, _c.RmsNormEps, n + "post_attn_norm");
        var resid = g.Add(x, o, n + "resid1");

        h = g.RmsNorm(resid, preFfNorm, _c.RmsNormEps, n + "pre_ff_norm");
        var gate = g.MatMul(h, gateW, null, n + "gate");
        var up = g.MatMul(h, upW, null, n + "up");
        var m = g.GeGlu(gate, up, n + "geglu");
        var down = g.MatMul(m, downW, null, n + "down");
        down = g.RmsNorm(down, postFfNorm, _c.RmsNormEps, n + "post_ff_norm");
        return g.Add(resid, down, $"layer_output.{i}");
    }
}
