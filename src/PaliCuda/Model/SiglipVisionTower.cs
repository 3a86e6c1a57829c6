using PaliCuda.Config;
using PaliCuda.Graph;

namespace PaliCuda.Model;

/// <summary>
/// SigLIP vision encoder without pooling head (HF <c>SiglipVisionTransformer</c>):
/// x = conv_patch(pixels) + pos_emb; per layer x += out(attn(LN1(x))); x += fc2(gelu_tanh(fc1(LN2(x))));
/// y = post_LN(x). Attention is bidirectional with q/k/v/out biases and scale head_dim^-0.5.
/// </summary>
public sealed class SiglipVisionTower
{
    public const string Prefix = "vision_tower.vision_model.";
    private readonly SiglipVisionConfig _c;

    public SiglipVisionTower(SiglipVisionConfig config)
    {
        if (config.HiddenAct is not ("gelu_pytorch_tanh" or "gelu_tanh"))
            throw new NotSupportedException($"vision hidden_act '{config.HiddenAct}' is not supported (expected gelu_pytorch_tanh)");
        if (config.HiddenSize % config.NumHeads != 0)
            throw new NotSupportedException($"vision hidden_size {config.HiddenSize} is not a multiple of {config.NumHeads} heads");
        if (config.ImageSize % config.PatchSize != 0)
            throw new NotSupportedException($"image_size {config.ImageSize} is not a multiple of patch_size {config.PatchSize}");
        _c = config;
    }

    /// <summary>
    /// Records the tower on <paramref name="pixels"/> [C, S, S]; returns the last hidden state [patches, Dv].
    /// Names "vision_hidden_states.{i}" and "vision_last_hidden_state" as in the fixtures.
    /// </summary>
    public BufferId Record(GraphBuilder g, BufferId pixels)
    {
        int d = _c.HiddenSize, n = _c.NumPatches, p = _c.PatchSize, ch = _c.NumChannels;
        // [D, C, P, P] viewed as [D, C·P·P] so the stride-P convolution is a MatMul over im2col rows.
        var patchW = g.Weight(Prefix + "embeddings.patch_embedding.weight", d, ch * p * p);
        var patchB = g.Weight(Prefix + "embeddings.patch_embedding.bias", d);               // [D]
        var posEmb = g.Weight(Prefix + "embeddings.position_embedding.weight", n, d);      // [N, D]

        var cols = g.Patchify(pixels, p, "vision.patches");
        var patches = g.MatMul(cols, patchW, patchB, "vision.patch_embeds");
        var x = g.Add(patches, posEmb, "vision.embeddings");
        g.Alias(x, "vision_hidden_states.0");

        for (var i = 0; i < _c.NumLayers; i++)
        {
            x = RecordLayer(g, x, i);
            g.Alias(x, $"vision_hidden_states.{i + 1}");
        }

        var postG = g.Weight(Prefix + "post_layernorm.weight", d); // [D]
        var postB = g.Weight(Prefix + "post_layernorm.bias", d);   // [D]
        return g.LayerNorm(x, postG, postB, _c.LayerNormEps, "vision_last_hidden_state");
    }

    private BufferId RecordLayer(GraphBuilder g, BufferId x, int i)
    {
        int d = _c.HiddenSize, ff = _c.IntermediateSize;
        var w = $"{Prefix}encoder.layers.{i}.";
        var n = $"vision.{i}.";
        var ln1G = g.Weight(w + "layer_norm1.weight", d);          // [D]
        var ln1B = g.Weight(w + "layer_norm1.bias", d);            // [D]
        var qW = g.Weight(w + "self_attn.q_proj.weight", d, d);    // [D, D]
        var qB = g.Weight(w + "self_attn.q_proj.bias", d);         // [D]
        var kW = g.Weight(w + "self_attn.k_proj.weight", d, d);    // [D, D]
        var kB = g.Weight(w + "self_attn.k_proj.bias", d);         // [D]
        var vW = g.Weight(w + "self_attn.v_proj.weight", d, d);    // [D, D]
        var vB = g.Weight(w + "self_attn.v_proj.bias", d);         // [D]
        var oW = g.Weight(w + "self_attn.out_proj.weight", d, d);  // [D, D]
        var oB = g.Weight(w + "self_attn.out_proj.bias", d);       // [D]
        var ln2G = g.Weight(w + "layer_norm2.weight", d);          // [D]
        var ln2B = g.Weight(w + "layer_norm2.bias", d);            // [D]
        var fc1W = g.Weight(w + "mlp.fc1.weight", ff, d);          // [FF, D]
        var fc1B = g.Weight(w + "mlp.fc1.bias", ff);               // [FF]
        var fc2W = g.Weight(w + "mlp.fc2.weight", d, ff);          // [D, FF]
        var fc2B = g.Weight(w + "mlp.fc2.bias", d);                // [D]

        var h = g.LayerNorm(x, ln1G, ln1B, _c.LayerNormEps, n + "ln1");
        var q = g.MatMul(h, qW, qB, n + "q");
        var k = g.MatMul(h, kW, kB, n + "k");
        var v = g.MatMul(h, vW, vB, n + "v");
        var attnParams = new AttentionParams(_c.NumHeads, _c.NumHeads, _c.HeadDim, 1f / MathF.Sqrt(_c.HeadDim), null,
            AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
        var a = g.Attention(q, k, v, null, null, attnParams, n + "attn");
        var o = g.MatMul(a, oW, oB, n + "attn_out");
        x = g.Add(x, o, n + "resid1");

        h = g.LayerNorm(x, ln2G, ln2B, _c.LayerNormEps, n + "ln2");
        var f = g.MatMul(h, fc1W, fc1B, n + "fc1");
        f = g.GeluTanh(f, n + "gelu");
        f = g.MatMul(f, fc2W, fc2B, n + "fc2");
        return g.Add(x, f, n + "out");
    }
}
