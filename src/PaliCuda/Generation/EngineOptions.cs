using PaliCuda.Config;
using PaliCuda.Model;

namespace PaliCuda.Generation;

/// <summary>How an engine is set up; defaults reproduce Hugging Face transformers 4.47.</summary>
public sealed record EngineOptions
{
    public DeviceKind Device { get; init; } = DeviceKind.Cpu;
    public SlidingWindowSemantics WindowSemantics { get; init; } = SlidingWindowSemantics.WindowAlways;
    /// <summary>F32 matches float32 checkpoints (and the fixtures); HF rounds √hidden to bf16 for bf16 models.</summary>
    public NormalizerDType NormalizerDType { get; init; } = NormalizerDType.F32;
    /// <summary>Upper bound on prompt + generated tokens (KV cache capacity); the config's max positions if null.</summary>
    public int? MaxTotalTokens { get; init; }
    /// <summary>Bounds on untrusted input (checkpoint headers, tokenizer, images, prompt length).</summary>
    public EngineLimits Limits { get; init; } = EngineLimits.Default;
}
