namespace PaliCuda.Graph;

/// <summary>
/// Static parameters of an attention op. Per head h (kv head h / (heads / kv_heads), grouped-query attention):
/// s_ij = (q_i · k_j) · Scale; if SoftCap is set s_ij = c·tanh(s_ij / c) — BEFORE masking; masked keys get
/// probability 0; p = softmax_j(s) in float32; out_i = Σ_j p_ij v_j.
/// </summary>
public sealed record AttentionParams(int NumHeads, int NumKvHeads, int HeadDim, float Scale, float? SoftCap, AttentionMaskSpec Mask, KvLayout Layout)
{
    public int GroupSize => NumHeads / NumKvHeads;
}
