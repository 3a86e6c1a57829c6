namespace PaliCuda.Backends.Gpu;

/// <summary>Settings of a <see cref="GpuBackend"/>.</summary>
public sealed record GpuBackendOptions
{
    /// <summary>Op name → kernel variant (see <see cref="KernelVariants"/>); ops not named use their default.</summary>
    public IReadOnlyDictionary<string, string> Variants { get; init; } = new Dictionary<string, string>();

    /// <summary>Run <see cref="Fusion.GpuFusionPass"/> on every graph before it is planned (fused kernels, one GEMM for q|k|v and gate|up).</summary>
    public bool Fuse { get; init; } = true;

    /// <summary>Attention over the KV cache with at most this many queries uses the decode variant.</summary>
    public int DecodeMaxQueries { get; init; } = 8;

    /// <summary>Keys per split of the split-KV decode kernel (the split count is capacity / this, at most <see cref="MaxDecodeSplits"/>).</summary>
    public int DecodeKeysPerSplit { get; init; } = 256;

    public int MaxDecodeSplits { get; init; } = 32;

    /// <summary>
    /// Remove the <c>.loc</c> / <c>.file</c> line-info directives (nvcc -lineinfo) from the PTX before loading it. The
    /// PTX emulator's parser does not accept them yet; a CUDA device keeps them for profilers.
    /// </summary>
    public bool StripPtxLineInfo { get; init; }

    /// <summary>
    /// On a CUDA device, JIT-compile every kernel module's PTX with the driver's compiler instead of loading the machine
    /// code the build's ptxas made for the device's architecture (the default where it exists: no start-up JIT, and the
    /// code <c>palicuda kernels</c> reports registers and spills for). Used when the backend opens its own device.
    /// </summary>
    public bool JitPtx { get; init; }

    /// <summary>Tuning of the packed-weight MatMul (<see cref="Quantized.QuantizedLinear"/>); its PTX line-info setting follows <see cref="StripPtxLineInfo"/>.</summary>
    public Quantized.QuantizedLinearOptions QuantizedLinear { get; init; } = new();
}
