namespace PaliCuda.Quantization;

/// <summary>The parts of a PaliGemma model whose weight format can be chosen separately.</summary>
public enum ModelPart
{
    /// <summary>SigLIP encoder: prefill-only and compute-bound, so bf16 by default.</summary>
    Vision,
    /// <summary>The linear projector from SigLIP to Gemma width (one prefill GEMM).</summary>
    Projector,
    /// <summary>Gemma 2 layers: read once per generated token, the memory-bound part quantization speeds up.</summary>
    Decoder,
    /// <summary>The token embedding, which is also the tied LM head (the largest single decode read).</summary>
    Embedding,
}
