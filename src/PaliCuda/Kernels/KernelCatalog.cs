namespace PaliCuda.Kernels;

/// <summary>
/// The launcher table: every kernel entry point the engine may launch. The tests hold it equal,
/// in both directions, to the <c>.entry</c> declarations of the embedded PTX, so a kernel whose
/// signature changes without this table changing fails the build's tests instead of a launch.
/// </summary>
public static class KernelCatalog
{
    // Pointers and long long are u64; nvcc declares C int as u32 and float as f32.
    public static IReadOnlyList<KernelEntry> Entries { get; } =
    [
        new("smoke", "palicuda_smoke_axpy", [P, P, F, I]),
        new("rmsnorm", "palicuda_rmsnorm_bf16", [P, P, P, I, F]),
        new("rmsnorm", "palicuda_add_rmsnorm_bf16", [P, P, P, P, P, P, I, F]),
        new("layernorm", "palicuda_layernorm_bf16", [P, P, P, P, I, F]),
        new("gelu", "palicuda_gelu_tanh_bf16", [P, P, P]),
        new("gelu", "palicuda_bias_gelu_tanh_bf16", [P, P, P, I, I]),
        new("geglu", "palicuda_geglu_bf16", [P, P, P, I, I, I]),
        new("elementwise", "palicuda_add_bf16", [P, P, P, P]),
        new("elementwise", "palicuda_scale", [P, I, P, I, F, I, P]),
        new("elementwise", "palicuda_softcap", [P, I, P, I, F, P]),
        new("elementwise", "palicuda_broadcast_rows_bf16", [P, P, I, I]),
        new("rope", "palicuda_rope_bf16", [P, P, P, I, I, I, F]),
        new("qkv_rope_cache", "palicuda_qkv_rope_cache_bf16", [P, P, P, P, P, I, I, I, I, I, F]),
        new("embedding", "palicuda_embedding_gather_bf16", [P, P, P, I, I, F]),
        new("embedding", "palicuda_scatter_image_features_bf16", [P, P, P, P, I, I, I, F, I]),
        new("embedding_quantized", "palicuda_embedding_gather_int8", [P, P, P, P, I, I, F]),
        new("embedding_quantized", "palicuda_embedding_gather_int4", [P, P, P, P, I, I, F]),
        new("embedding_quantized", "palicuda_embedding_gather_fp8", [P, P, P, P, I, I, F]),
        new("patchify", "palicuda_patchify_bf16", [P, P, I, I, I, I, I]),
        new("kvcache", "palicuda_kv_cache_write_bf16", [P, P, P, I, I, I]),
        new("gather_last_row", "palicuda_gather_last_row", [P, P, P, I, I, I]),
        new("argmax", "palicuda_argmax_rows", [P, P, I, I, I]),
        new("argmax", "palicuda_softcap_argmax", [P, P, P, I, I, I, F]),
        new("sampling", "palicuda_sample_rows", [P, P, P, I, I, P]),
        new("sampling", "palicuda_softcap_sample", [P, P, P, P, I, I, I, F, P]),
        new("attention_prefill", "palicuda_attention_prefill_reference", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_prefill_flash", "palicuda_attention_prefill_flash_d16", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_prefill_flash", "palicuda_attention_prefill_flash_d32", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_prefill_flash", "palicuda_attention_prefill_flash_d64", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_prefill_flash", "palicuda_attention_prefill_flash_d80", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_prefill_flash", "palicuda_attention_prefill_flash_d128", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_prefill_flash", "palicuda_attention_prefill_flash_d256", [P, P, P, P, P, P, I, I, I, I, I, I, F, F, I, I, I]),
        new("attention_decode", "palicuda_attention_decode_split", [P, P, P, P, P, P, I, I, I, I, I, F, F, I, I, I]),
        new("attention_decode", "palicuda_attention_decode_combine", [P, P, I, I]),
        new("gemv_int8", "palicuda_gemv_int8_m1", [P, P, P, P, P, P, I, I, I, I, I]),
        new("gemv_int8", "palicuda_gemv_int8_m8", [P, P, P, P, P, P, I, I, I, I, I]),
        new("gemv_int4", "palicuda_gemv_int4_m1", [P, P, P, P, P, P, I, I, I, I, I]),
        new("gemv_int4", "palicuda_gemv_int4_m8", [P, P, P, P, P, P, I, I, I, I, I]),
        new("gemv_fp8", "palicuda_gemv_fp8_m1", [P, P, P, P, P, P, I, I, I, I, I]),
        new("gemv_fp8", "palicuda_gemv_fp8_m8", [P, P, P, P, P, P, I, I, I, I, I]),
        new("gemv_combine", "palicuda_gemv_combine", [P, P, P, I, I, I, I]),
        new("dequantize", "palicuda_dequantize_int8_bf16", [P, P, P, I, I]),
        new("dequantize", "palicuda_dequantize_fp8_bf16", [P, P, P, I, I]),
        new("dequantize", "palicuda_dequantize_int4_bf16", [P, P, P, I, I]),
    ];

    private static PtxParam P => PtxParam.U64;
    private static PtxParam I => PtxParam.U32;
    private static PtxParam F => PtxParam.F32;

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <exception cref="KernelNotFoundException">No entry has that name.</exception>
    public static KernelEntry Get(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new KernelNotFoundException(
            $"Kernel entry '{name}' is not in the launcher table (KernelCatalog); known entries: {string.Join(", ", Entries.Select(e => e.Name))}.");

    /// <summary>The module stems the table refers to.</summary>
    public static IReadOnlyList<string> Modules => Entries.Select(e => e.Module).Distinct().ToArray();

    /// <summary>The entries that live in module <paramref name="module"/>.</summary>
    public static IReadOnlyList<KernelEntry> InModule(string module) => Entries.Where(e => e.Module == module).ToArray();
}
