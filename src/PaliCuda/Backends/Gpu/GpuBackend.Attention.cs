using System.Runtime.InteropServices;
using PaliCuda.Backends.Gpu.Fusion;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Checkpoint;
using PaliCuda.Devices;
using PaliCuda.Graph;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu;

/// <summary>Attention (prefill variants, split-KV decode) and the KV-cache writes it reads.</summary>
public sealed partial class GpuBackend
{
    public void Attention(DeviceTensor q, DeviceTensor k, DeviceTensor v, DeviceTensor? queryPositions, DeviceTensor? prefixLength, AttentionParams p, DeviceTensor y)
    {
        const string op = "Attention";
        SameShapeBf16(op, q, y);
        Need(op, k, BufferDType.BF16);
        Need(op, v, BufferDType.BF16);
        Check(p.NumHeads > 0 && p.NumKvHeads > 0 && p.NumHeads % p.NumKvHeads == 0, op, $"{p.NumHeads} heads are not a multiple of {p.NumKvHeads} kv heads");
        Check(p.HeadDim is > 0 and <= 256, op, $"head size {p.HeadDim} is outside the kernels' 1..256");
        Check(q.Cols == p.NumHeads * p.HeadDim, op, $"queries '{q.Name}' {q.ShapeText} are not [queries, {p.NumHeads}·{p.HeadDim}]");
        Check(k.ElementCount == v.ElementCount && k.Shape.SequenceEqual(v.Shape), op, $"keys {k.ShapeText} and values {v.ShapeText} differ");
        var cached = p.Layout == KvLayout.HeadMajorCache;
        int capacity;
        if (cached)
        {
            Check(k.Shape.Length == 3 && k.Shape[0] == p.NumKvHeads && k.Shape[2] == p.HeadDim, op, $"cache '{k.Name}' {k.ShapeText} is not [{p.NumKvHeads}, capacity, {p.HeadDim}]");
            Check(queryPositions is not null && prefixLength is not null, op, "the KV-cache layout needs query positions and the prefix length");
            capacity = k.Shape[1];
        }
        else
        {
            Check(k.Cols == p.NumKvHeads * p.HeadDim, op, $"keys '{k.Name}' {k.ShapeText} are not [keys, {p.NumKvHeads}·{p.HeadDim}]");
            capacity = k.Rows;
        }
        if (queryPositions is { } qp) Check(qp.DType == BufferDType.I32 && qp.ElementCount == q.Rows, op, $"query positions '{qp.Name}' must be I32 [{q.Rows}]");
        if (prefixLength is { } pl) Check(pl.DType == BufferDType.I32 && pl.ElementCount == 1, op, $"prefix length '{pl.Name}' must be I32 [1]");
        var mask = p.Mask;
        var maskKind = mask.Kind == AttentionMaskKind.Bidirectional ? 0 : 1;
        var window = mask.SlidingWindow ?? 0;
        Check(mask.SlidingWindow is null || window > 0, op, $"sliding window {window} must be positive");
        var semantics = mask.WindowSemantics switch
        {
            Config.SlidingWindowSemantics.WindowAlways => 0,
            Config.SlidingWindowSemantics.WindowOrPrefix => 1,
            Config.SlidingWindowSemantics.None => 2,
            _ => throw Fail(op, $"unknown sliding-window semantics {mask.WindowSemantics}"),
        };
        var softcap = p.SoftCap ?? 0f;
        Check(p.SoftCap is null || (softcap > 0 && float.IsFinite(softcap)), op, $"soft cap {softcap} must be positive and finite");
        var decode = cached && q.Rows <= _options.DecodeMaxQueries
            && KernelVariants.Resolve(KernelVariants.AttentionDecode, _options.Variants) == "split_kv";
        if (!decode)
        {
            var args = Args().Add(Buf(y)).Add(Buf(q)).Add(Buf(k)).Add(Buf(v)).AddPointer(Ptr(queryPositions)).AddPointer(Ptr(prefixLength))
                .Add(q.Rows).Add(p.NumHeads).Add(p.NumKvHeads).Add(p.HeadDim).Add(cached ? 1 : 0).Add(capacity)
                .Add(p.Scale).Add(softcap).Add(maskKind).Add(window).Add(semantics);
            if (PrefillVariant(p, q, k, v, y) is { } flash)
            {
                _kernels.Launch(flash.Entry, new Dim3((uint)((q.Rows + FlashAttentionTiles.QueryRows - 1) / FlashAttentionTiles.QueryRows), (uint)p.NumHeads),
                    FlashAttentionTiles.Threads, args, flash.SharedBytes);
                return;
            }
            var rows = q.Rows * p.NumHeads;
            _kernels.Launch("palicuda_attention_prefill_reference", (rows + AttentionWarpsPerBlock - 1) / AttentionWarpsPerBlock, 32 * AttentionWarpsPerBlock, args);
            return;
        }
        var splits = Math.Clamp((capacity + _options.DecodeKeysPerSplit - 1) / _options.DecodeKeysPerSplit, 1, _options.MaxDecodeSplits);
        var rowsCount = q.Rows * p.NumHeads;
        var workspace = DecodeWorkspace((long)rowsCount * splits * (p.HeadDim + 2) * 4);
        _kernels.Launch("palicuda_attention_decode_split", new Dim3((uint)rowsCount, (uint)splits), 32,
            Args().Add(workspace).Add(Buf(q)).Add(Buf(k)).Add(Buf(v)).AddPointer(Ptr(queryPositions)).AddPointer(Ptr(prefixLength))
                .Add(p.NumHeads).Add(p.NumKvHeads).Add(p.HeadDim).Add(capacity).Add(splits)
                .Add(p.Scale).Add(softcap).Add(maskKind).Add(window).Add(semantics));
        _kernels.Launch("palicuda_attention_decode_combine", rowsCount, 32, Args().Add(Buf(y)).Add(workspace).Add(splits).Add(p.HeadDim));
    }

    /// <summary>Distinct reasons a default kernel variant was replaced by another (each also traced once as a warning).</summary>
    public IReadOnlyCollection<string> VariantFallbacks => _variantFallbacks;

    /// <summary>
    /// After the fused q|k|v GEMM: <paramref name="qOut"/> = rope(q), the cache rows at the tokens' positions =
    /// rope(k) and v. Equal to Rope(q), Rope(k), KvCacheWrite(k), KvCacheWrite(v) on the column blocks of <paramref name="qkv"/>.
    /// </summary>
    public void QkvRopeCache(DeviceTensor qkv, DeviceTensor cachePositions, int positionOffset, int numHeads, int numKvHeads, int headDim, float theta,
        DeviceTensor qOut, DeviceTensor keyCache, DeviceTensor valueCache)
    {
        const string op = "QkvRopeCache";
        Need(op, qkv, BufferDType.BF16);
        Need(op, qOut, BufferDType.BF16);
        Need(op, keyCache, BufferDType.BF16);
        Need(op, valueCache, BufferDType.BF16);
        Need(op, cachePositions, BufferDType.I32);
        Check(headDim > 0 && headDim % 2 == 0 && numHeads > 0 && numKvHeads > 0, op, $"{numHeads}/{numKvHeads} heads of size {headDim} (must be even)");
        Check(qkv.Cols == (numHeads + 2 * numKvHeads) * headDim, op, $"'{qkv.Name}' {qkv.ShapeText} is not [tokens, ({numHeads} + 2·{numKvHeads})·{headDim}]");
        Check(qOut.Rows == qkv.Rows && qOut.Cols == numHeads * headDim, op, $"'{qOut.Name}' {qOut.ShapeText} is not [{qkv.Rows}, {numHeads}·{headDim}]");
        Check(keyCache.Shape.Length == 3 && keyCache.Shape[0] == numKvHeads && keyCache.Shape[2] == headDim && keyCache.Shape.SequenceEqual(valueCache.Shape), op,
            $"caches '{keyCache.Name}' {keyCache.ShapeText} / '{valueCache.Name}' {valueCache.ShapeText} are not [{numKvHeads}, capacity, {headDim}]");
        Check(cachePositions.ElementCount == qkv.Rows, op, $"positions {cachePositions.ShapeText} do not match {qkv.Rows} tokens");
        _kernels.Launch("palicuda_qkv_rope_cache_bf16", qkv.Rows, Math.Min(1024, RoundUp32((numHeads + numKvHeads) * headDim / 2)),
            Args().Add(Buf(qOut)).Add(Buf(keyCache)).Add(Buf(valueCache)).Add(Buf(qkv)).Add(Buf(cachePositions)).Add(positionOffset)
                .Add(numHeads).Add(numKvHeads).Add(headDim).Add(keyCache.Shape[1]).Add(theta));
    }

    public void KvCacheWrite(DeviceTensor source, DeviceTensor cachePositions, DeviceTensor cache)
    {
        const string op = "KvCacheWrite";
        Need(op, source, BufferDType.BF16);
        Need(op, cache, BufferDType.BF16);
        Need(op, cachePositions, BufferDType.I32);
        Check(cache.Shape.Length == 3 && source.Cols == cache.Shape[0] * cache.Shape[2], op, $"source '{source.Name}' {source.ShapeText} does not match cache '{cache.Name}' {cache.ShapeText}");
        Check(cachePositions.ElementCount == source.Rows, op, $"positions {cachePositions.ShapeText} do not match {source.Rows} tokens");
        int kvHeads = cache.Shape[0], capacity = cache.Shape[1], hd = cache.Shape[2];
        _kernels.Launch("palicuda_kv_cache_write_bf16", new Dim3((uint)source.Rows, (uint)kvHeads), Math.Min(256, RoundUp32(hd)),
            Args().Add(Buf(cache)).Add(Buf(source)).Add(Buf(cachePositions)).Add(kvHeads).Add(capacity).Add(hd));
    }

    /// <summary>
    /// The split-KV partials, shared by every decode step (the stream runs them one after another, and each step writes
    /// every partial it combines). When a larger one is needed the old one is kept, not freed, until the backend is
    /// disposed: queued launches and decode graphs captured earlier (a pooled generation slot's) hold its address.
    /// Growth at least doubles, so the kept buffers together stay below the live one.
    /// </summary>
    private DeviceBuffer DecodeWorkspace(long bytes)
    {
        if (_decodeWorkspace is { } w && w.ByteLength >= bytes) return w.Slice(0, bytes);
        if (_decodeWorkspace is { } old) bytes = Math.Max(bytes, 2 * old.ByteLength);
        var fresh = _device.Allocate(bytes);
        _owned.Add(fresh);
        _decodeWorkspace = fresh;
        return fresh;
    }

    /// <summary>
    /// The flash_mma kernel for this prefill, or null for the reference kernel. flash_mma needs a head size that is a
    /// multiple of 8 (at most 256) and 16-byte aligned tensors; when it cannot serve the shape, an explicit choice of
    /// flash_mma throws, while the default choice falls back to reference and records why in <see cref="VariantFallbacks"/>.
    /// </summary>
    private (string Entry, int SharedBytes)? PrefillVariant(AttentionParams p, params DeviceTensor[] tensors)
    {
        var variant = KernelVariants.Resolve(KernelVariants.AttentionPrefill, _options.Variants);
        if (variant != "flash_mma") return null;
        var (entry, shared, unsupported) = FlashAttentionTiles.For(p.HeadDim);
        unsupported ??= tensors.FirstOrDefault(t => Buf(t).Address % 16 != 0) is { } misaligned
            ? $"tensor '{misaligned.Name}' is not 16-byte aligned (the kernel copies 16-byte chunks)"
            : null;
        if (unsupported is null) return (entry!, shared);
        if (_options.Variants.ContainsKey(KernelVariants.AttentionPrefill))
            throw Fail("Attention", $"kernel variant {KernelVariants.AttentionPrefill}=flash_mma was requested but cannot run: {unsupported}");
        var note = $"{KernelVariants.AttentionPrefill}: flash_mma -> reference ({unsupported})";
        if (_variantFallbacks.Add(note)) System.Diagnostics.Trace.TraceWarning(note);
        return null;
    }
}
