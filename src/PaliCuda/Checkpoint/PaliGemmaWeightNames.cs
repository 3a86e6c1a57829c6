namespace PaliCuda.Checkpoint;

/// <summary>
/// Canonical tensor names (the Hugging Face transformers 4.47 layout). <see cref="PaliGemmaCheckpoint.Weights"/>
/// always uses these, whichever layout the files on disk have.
/// </summary>
public static class PaliGemmaWeightNames
{
    public const string VisionPrefix = "vision_tower.vision_model.";
    public const string ProjectorPrefix = "multi_modal_projector.linear.";
    public const string TextPrefix = "language_model.model.";

    public const string PatchEmbeddingWeight = VisionPrefix + "embeddings.patch_embedding.weight";
    public const string PatchEmbeddingBias = VisionPrefix + "embeddings.patch_embedding.bias";
    public const string PositionEmbedding = VisionPrefix + "embeddings.position_embedding.weight";
    public const string VisionPostLayerNormWeight = VisionPrefix + "post_layernorm.weight";
    public const string VisionPostLayerNormBias = VisionPrefix + "post_layernorm.bias";
    public const string ProjectorWeight = ProjectorPrefix + "weight";
    public const string ProjectorBias = ProjectorPrefix + "bias";
    public const string EmbedTokens = TextPrefix + "embed_tokens.weight";
    public const string FinalNorm = TextPrefix + "norm.weight";
    /// <summary>Usually absent: the output projection is tied to <see cref="EmbedTokens"/>.</summary>
    public const string LmHead = "language_model.lm_head.weight";

    /// <summary><c>vision_tower.vision_model.encoder.layers.{layer}.{suffix}</c>, e.g. suffix "self_attn.q_proj.weight".</summary>
    public static string VisionLayer(int layer, string suffix) => $"{VisionPrefix}encoder.layers.{layer}.{suffix}";

    /// <summary><c>language_model.model.layers.{layer}.{suffix}</c>, e.g. suffix "mlp.gate_proj.weight".</summary>
    public static string TextLayer(int layer, string suffix) => $"{TextPrefix}layers.{layer}.{suffix}";
}
