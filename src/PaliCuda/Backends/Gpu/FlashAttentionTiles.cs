namespace PaliCuda.Backends.Gpu;

/// <summary>
/// Launch geometry of the <c>flash_mma</c> prefill kernels (kernels/attention_prefill_flash.cu): one instantiation per
/// padded head size, the numbers mirroring the kernel's FlashTile template. A block covers <see cref="QueryRows"/>
/// queries of one head with <see cref="Threads"/> threads.
/// </summary>
public static class FlashAttentionTiles
{
    public const int QueryRows = 64;
    public const int Threads = 128;

    /// <summary>Instantiated padded head sizes with their key-tile sizes (smaller for 256 to keep registers under 255).</summary>
    private static readonly (int PaddedDim, int KeyTile)[] Instances = [(16, 64), (32, 64), (64, 64), (80, 64), (128, 64), (256, 32)];

    /// <summary>The kernel serving <paramref name="headDim"/>, or the reason none does.</summary>
    public static (string? Entry, int DynamicSharedBytes, string? Unsupported) For(int headDim)
    {
        if (headDim % 8 != 0)
            return (null, 0, $"head size {headDim} is not a multiple of 8 (the kernel copies 16-byte chunks of a row)");
        foreach (var (dp, bk) in Instances)
        {
            // Q tile plus double-buffered K and V tiles, rows padded by 8 bf16.
            if (headDim <= dp) return ($"palicuda_attention_prefill_flash_d{dp}", (QueryRows + 4 * bk) * (dp + 8) * 2, null);
        }
        return (null, 0, $"head size {headDim} is above the largest instantiation ({Instances[^1].PaddedDim})");
    }
}
