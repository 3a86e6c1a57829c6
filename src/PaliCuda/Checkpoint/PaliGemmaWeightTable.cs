using PaliCuda.Config;
using static PaliCuda.Checkpoint.PaliGemmaWeightNames;

namespace PaliCuda.Checkpoint;

/// <summary>Every tensor a PaliGemma 2 checkpoint must hold, with the shape its config implies (PyTorch layouts: Linear is [out, in]).</summary>
public static class PaliGemmaWeightTable
{
    public static IReadOnlyList<ExpectedTensor> For(PaliGemmaConfig config)
    {
        var v = config.Vision;
        var t = config.Text;
        var list = new List<ExpectedTensor>();
        void Add(string name, params long[] shape) => list.Add(new ExpectedTensor(name, shape));

        long dv = v.HiddenSize;
        Add(PatchEmbeddingWeight, dv, v.NumChannels, v.PatchSize, v.PatchSize);
        Add(PatchEmbeddingBias, dv);
        Add(PositionEmbedding, v.NumPatches, dv);
        for (int i = 0; i < v.NumLayers; i++)
        {
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
            {
                Add(VisionLayer(i, $"self_attn.{proj}.weight"), dv, dv);
                Add(VisionLayer(i, $"self_attn.{proj}.bias"), dv);
            }
            foreach (var norm in new[] { "layer_norm1", "layer_norm2" })
            {
                Add(VisionLayer(i, $"{norm}.weight"), dv);
                Add(VisionLayer(i, $"{norm}.bias"), dv);
            }
            Add(VisionLayer(i, "mlp.fc1.weight"), v.IntermediateSize, dv);
            Add(VisionLayer(i, "mlp.fc1.bias"), v.IntermediateSize);
            Add(VisionLayer(i, "mlp.fc2.weight"), dv, v.IntermediateSize);
            Add(VisionLayer(i, "mlp.fc2.bias"), dv);
        }
        Add(VisionPostLayerNormWeight, dv);
        Add(VisionPostLayerNormBias, dv);

        long dt = t.HiddenSize;
        Add(ProjectorWeight, dt, dv);
        Add(ProjectorBias, dt);

        Add(EmbedTokens, t.VocabSize, dt);
        for (int i = 0; i < t.NumLayers; i++)
        {
            Add(TextLayer(i, "self_attn.q_proj.weight"), t.QueryDim, dt);
            Add(TextLayer(i, "self_attn.k_proj.weight"), t.KeyValueDim, dt);
            Add(TextLayer(i, "self_attn.v_proj.weight"), t.KeyValueDim, dt);
            Add(TextLayer(i, "self_attn.o_proj.weight"), dt, t.QueryDim);
            Add(TextLayer(i, "mlp.gate_proj.weight"), t.IntermediateSize, dt);
            Add(TextLayer(i, "mlp.up_proj.weight"), t.IntermediateSize, dt);
            Add(TextLayer(i, "mlp.down_proj.weight"), dt, t.IntermediateSize);
            foreach (var norm in new[] { "input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm" })
                Add(TextLayer(i, $"{norm}.weight"), dt);
        }
        Add(FinalNorm, dt);
        return list;
    }

    /// <summary>Parameters of the model (tied LM head counted once).</summary>
    public static long ParameterCount(PaliGemmaConfig config) => For(config).Sum(e => e.ElementCount);

    /// <summary>
    /// Checks that <paramref name="store"/> has every expected tensor with the expected shape and a float dtype.
    /// Reports the first problem as a <see cref="CheckpointFormatException"/> naming tensor, shapes and file.
    /// </summary>
    public static void Validate(ITensorStore store, PaliGemmaConfig config, string location)
    {
        foreach (var expected in For(config))
        {
            if (!store.TryDescribe(expected.Name, out var info))
                throw new CheckpointFormatException($"required tensor is missing (expected shape {Format(expected.Shape)})", location, expected.Name);
            CheckShape(info, expected.Shape);
        }
        if (store.TryDescribe(LmHead, out var head))
            CheckShape(head, [config.Text.VocabSize, config.Text.HiddenSize]);
    }

    private static void CheckShape(TensorInfo info, long[] expected)
    {
        if (!info.Shape.SequenceEqual(expected))
            throw new CheckpointFormatException($"wrong shape: expected {Format(expected)}, found {Format(info.Shape)}", info.FilePath, info.Name);
        if (!info.DType.IsConvertibleToFloat32())
            throw new CheckpointFormatException($"dtype {info.DType.ToSafetensorsName()} is not a supported weight type (F32, BF16, F16)", info.FilePath, info.Name);
    }

    internal static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";
}
