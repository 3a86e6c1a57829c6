using PaliCuda.Config;
using PaliCuda.Model;
using PaliCuda.Quantization;

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
    /// <summary>
    /// The weight format per model part (<c>--weights</c>; <see cref="QuantizationPlan.ForWeights"/>); null loads the
    /// checkpoint as stored. A float32 backend loads exactly the values the GPU format reconstructs.
    /// </summary>
    public QuantizationPlan? Weights { get; init; }
    /// <summary>GPU backend settings (kernel variants, fusion) for the emulated and CUDA devices; defaults if null.</summary>
    public Backends.Gpu.GpuBackendOptions? Gpu { get; init; }
    /// <summary>Bounds on untrusted input (checkpoint headers, tokenizer, images, prompt length).</summary>
    public EngineLimits Limits { get; init; } = EngineLimits.Default;
    /// <summary>Hears of every weight placed on the device while the engine loads (progress display).</summary>
    public IProgress<Checkpoint.CheckpointLoadProgress>? LoadProgress { get; init; }
}
