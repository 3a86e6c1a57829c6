namespace PaliCuda.Model;

/// <summary>
/// The dtype in which Gemma's embedding normalizer √hidden is materialised. HF builds it as a tensor of the model's
/// dtype, so a bf16 checkpoint multiplies by bf16(√hidden) (e.g. √2304 = 48 exactly, √3584 ≈ 59.87 → 59.75).
/// </summary>
public enum NormalizerDType
{
    F32,
    BF16,
}
