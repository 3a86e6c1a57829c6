namespace PaliCuda.Config;

/// <summary>
/// The SigLIP vision tower's shape (HF <c>SiglipVisionConfig</c>). PaliGemma uses it without the pooling head:
/// patches of <see cref="PatchSize"/> pixels are embedded, position embeddings added, then
/// <see cref="NumLayers"/> pre-LayerNorm transformer blocks and a final LayerNorm.
/// </summary>
public sealed record SiglipVisionConfig
{
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int ImageSize { get; init; }
    public required int PatchSize { get; init; }
    public int NumChannels { get; init; } = 3;
    public float LayerNormEps { get; init; } = 1e-6f;
    /// <summary>HF <c>hidden_act</c>; PaliGemma 2 uses "gelu_pytorch_tanh".</summary>
    public string HiddenAct { get; init; } = "gelu_pytorch_tanh";

    public int HeadDim => HiddenSize / NumHeads;
    public int PatchesPerSide => ImageSize / PatchSize;
    /// <summary>Number of image tokens the tower emits (one per patch).</summary>
    public int NumPatches => PatchesPerSide * PatchesPerSide;
}
