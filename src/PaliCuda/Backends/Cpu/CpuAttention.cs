using System.Buffers;
using System.Numerics.Tensors;
using PaliCuda.Graph;

namespace PaliCuda.Backends.Cpu;

/// <summary>Attention on the CPU, one (query, head) pair per work item; the mask rule is <see cref="AttentionMaskSpec.IsVisible"/>.</summary>
internal static class CpuAttention
{
    public static void Run(CpuBackend _, DeviceTensor q, DeviceTensor k, DeviceTensor v, DeviceTensor? queryPositions, DeviceTensor? prefixLength, AttentionParams p, DeviceTensor y)
    {
        var cached = p.Layout == KvLayout.HeadMajorCache;
        var queries = q.Rows;
        var capacity = cached ? k.Shape[1] : k.Rows;
        var positions = queryPositions is { } qp ? CpuBackend.I(qp).ToArray() : Enumerable.Range(0, queries).ToArray();
        var prefix = prefixLength is { } pl ? CpuBackend.I(pl)[0] : capacity;
        if (cached && (prefix <= 0 || prefix > capacity))
            throw new ModelInputException($"prefix length {prefix} is outside the KV cache '{k.Name}' (capacity {capacity})");
        foreach (var pos in positions)
            if ((uint)pos >= (uint)capacity)
                throw new ModelInputException($"query position {pos} is outside the keys of '{k.Name}' ({capacity})");

        Memory<float> qm = CpuBackend.F(q), km = CpuBackend.F(k), vm = CpuBackend.F(v), ym = CpuBackend.F(y);
        int hd = p.HeadDim, heads = p.NumHeads, kvHeads = p.NumKvHeads;
        CpuBackend.Rows(queries * heads, (long)capacity * hd * 2, item =>
        {
            int t = item / heads, h = item % heads, g = h / p.GroupSize;
            var qpos = positions[t];
            var keyCount = cached ? Math.Min(capacity, p.Mask.KeyLimit(qpos, prefix)) : capacity;
            var scores = ArrayPool<float>.Shared.Rent(keyCount);
            try
            {
                var qs = qm.Span.Slice(t * heads * hd + h * hd, hd);
                var ks = km.Span;
                var max = float.NegativeInfinity;
                for (var j = 0; j < keyCount; j++)
                {
                    if (!p.Mask.IsVisible(qpos, j, prefix)) { scores[j] = float.NegativeInfinity; continue; }
                    var s = TensorPrimitives.Dot(qs, ks.Slice(KeyOffset(cached, j, g, kvHeads, capacity, hd), hd)) * p.Scale;
                    if (p.SoftCap is { } c) s = c * MathF.Tanh(s / c);
                    scores[j] = s;
                    if (s > max) max = s;
                }
                if (float.IsNegativeInfinity(max))
                    throw new ModelInputException($"query at position {qpos} sees no key in '{k.Name}'");
                double sum = 0;
                for (var j = 0; j < keyCount; j++)
                {
                    var e = float.IsNegativeInfinity(scores[j]) ? 0f : MathF.Exp(scores[j] - max);
                    scores[j] = e;
                    sum += e;
                }
                var inv = (float)(1.0 / sum);
                var outRow = ym.Span.Slice(t * heads * hd + h * hd, hd);
                outRow.Clear();
                var vs = vm.Span;
                for (var j = 0; j < keyCount; j++)
                {
                    if (scores[j] == 0f) continue;
                    TensorPrimitives.MultiplyAdd(vs.Slice(KeyOffset(cached, j, g, kvHeads, capacity, hd), hd), scores[j] * inv, outRow, outRow);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        });
    }

    private static int KeyOffset(bool cached, int j, int g, int kvHeads, int capacity, int hd) =>
        cached ? (g * capacity + j) * hd : (j * kvHeads + g) * hd;
}
