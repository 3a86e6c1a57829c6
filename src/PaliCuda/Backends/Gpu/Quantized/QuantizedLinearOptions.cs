namespace PaliCuda.Backends.Gpu.Quantized;

/// <summary>Tuning of <see cref="QuantizedLinear"/>; the defaults are sized for an H100 (132 SMs) by arithmetic and still need measuring on one.</summary>
public sealed record QuantizedLinearOptions
{
    /// <summary>
    /// Token counts up to this take the GEMV path; more take dequantize + GEMM. At most
    /// <see cref="QuantizedLinear.MaxGemvTokens"/>. Past a few tokens the GEMV re-reads activations per weight word and
    /// the tensor-core GEMM wins even after writing the bf16 scratch.
    /// </summary>
    public int GemvMaxTokens { get; init; } = QuantizedLinear.MaxGemvTokens;

    /// <summary>
    /// Blocks a GEMV launch should reach before it stops splitting K: 4 blocks (16 warps) per SM of a 132-SM H100, so
    /// each SM has about 16 KiB of weight loads in flight, what ~3.35 TB/s × ~0.7 µs latency / 132 SMs asks for.
    /// </summary>
    public int TargetBlocks { get; init; } = 4 * 132;

    /// <summary>A split covers at least this many 16-byte chunks of a row (2 loads per lane), so the partial sums stay a small fraction of the traffic.</summary>
    public int MinChunksPerSplit { get; init; } = 64;

    /// <summary>Upper bound on K splits (the combine pass reads splits × M × N fp32 partials).</summary>
    public int MaxSplits { get; init; } = 16;

    /// <summary>
    /// Cap on the bf16 scratch of the dequantize + GEMM path. 256 MiB holds every PaliGemma 2 3B decoder weight in one
    /// block (the largest, fused gate|up, is 2·18432·2304 B = 85 MB), while the LM head over a whole prompt
    /// (2·257152·2304 B = 1.18 GB as bf16) is done in row blocks instead of materializing a second bf16 table.
    /// </summary>
    public long MaxScratchBytes { get; init; } = 256L << 20;

    /// <summary>Drop the PTX line info before loading (the emulator refuses it).</summary>
    public bool StripPtxLineInfo { get; init; }
}
