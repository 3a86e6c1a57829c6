namespace PaliCuda.Config;

/// <summary>
/// The Gemma 2 decoder's shape (HF <c>Gemma2Config</c>). Layer i uses sliding-window attention when i is even,
/// global attention when i is odd.
/// </summary>
public sealed record Gemma2TextConfig
{
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>Scores are scaled by QueryPreAttnScalar^-0.5 (not HeadDim^-0.5).</summary>
    public required float QueryPreAttnScalar { get; init; }
    public required int SlidingWindow { get; init; }
    /// <summary>Attention-logit soft cap c in c·tanh(s/c); null = no capping.</summary>
    public float? AttnLogitSoftcapping { get; init; } = 50.0f;
    /// <summary>Final-logit soft cap; null = no capping.</summary>
    public float? FinalLogitSoftcapping { get; init; } = 30.0f;
    public float RmsNormEps { get; init; } = 1e-6f;
    public float RopeTheta { get; init; } = 10000.0f;
    public int MaxPositionEmbeddings { get; init; } = 8192;
    /// <summary>HF <c>hidden_activation</c>; Gemma 2 uses "gelu_pytorch_tanh".</summary>
    public string HiddenActivation { get; init; } = "gelu_pytorch_tanh";

    public bool IsSlidingLayer(int layer) => layer % 2 == 0;
    public int QueryDim => NumHeads * HeadDim;
    public int KeyValueDim => NumKeyValueHeads * HeadDim;
}
