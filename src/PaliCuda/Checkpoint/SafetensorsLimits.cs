namespace PaliCuda.Checkpoint;

/// <summary>
/// Upper bounds a safetensors header must respect before we trust it. They exist so that a corrupt or hostile
/// file fails with a clear error instead of making us allocate gigabytes for a "header".
/// </summary>
/// <param name="MaxHeaderBytes">Largest JSON header accepted (the reference implementation also uses 100 MB).</param>
/// <param name="MaxTensorCount">Most tensors one file may declare (a 28B checkpoint shard has about a thousand).</param>
/// <param name="MaxRank">Most dimensions one tensor may have.</param>
/// <param name="MaxIndexBytes">Largest <c>model.safetensors.index.json</c> accepted, checked before it is read (64 MiB;
/// a 28B checkpoint's index is about 100 KB).</param>
public sealed record SafetensorsLimits(long MaxHeaderBytes = 100_000_000, int MaxTensorCount = 100_000, int MaxRank = 8,
    long MaxIndexBytes = 64L << 20)
{
    public static SafetensorsLimits Default { get; } = new();
}
