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
    /// <summary>
    /// Prompt shape classes: a prompt of L ids runs in a prefill graph recorded for L rounded up to a multiple of this
    /// (padded with the pad id; see <see cref="PaliGemmaModel.RecordPrefill"/> for why that changes no result), so
    /// prompts of nearby lengths share one recorded, captured prefill. 1 = every length its own class. 16 bounds the
    /// padding to 15 rows: under 6 % of the decoder's prefill rows at 224 px (256 image tokens + the text), less at
    /// 448/896 px, while the usual short task prompts ("caption en", "detect cat") still share a class or two.
    /// </summary>
    public int PrefillBucketTokens { get; init; } = DefaultPrefillBucketTokens;

    /// <summary>The default of <see cref="PrefillBucketTokens"/>; the end-to-end benchmarks pad as the engine does by default.</summary>
    public const int DefaultPrefillBucketTokens = 16;
    /// <summary>
    /// KV-cache capacity classes: prompt class + MaxNewTokens rounded up to a multiple of this (at most
    /// <see cref="MaxTotalTokens"/> or the model's position limit), so generations of nearby lengths share a slot.
    /// </summary>
    public int KvCapacityBucketTokens { get; init; } = 256;
    /// <summary>
    /// Idle generation slots (KV cache + captured prefill and decode graphs of one shape class) kept for reuse after a
    /// generation ends, least recently used evicted first; 0 = every generation allocates and captures anew.
    /// </summary>
    public int MaxIdleGenerationSlots { get; init; } = 2;
    /// <summary>GPU backend settings (kernel variants, fusion) for the emulated and CUDA devices; defaults if null.</summary>
    public Backends.Gpu.GpuBackendOptions? Gpu { get; init; }
    /// <summary>Bounds on untrusted input (checkpoint headers, tokenizer, images, prompt length).</summary>
    public EngineLimits Limits { get; init; } = EngineLimits.Default;
    /// <summary>Hears of every weight placed on the device while the engine loads (progress display).</summary>
    public IProgress<Checkpoint.CheckpointLoadProgress>? LoadProgress { get; init; }
}
