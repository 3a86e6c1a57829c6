using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using PaliCuda.Graph;

namespace PaliCuda.Backends.Cpu;

/// <summary>
/// Reference backend: float32 on the host, vectorised with TensorPrimitives / Vector&lt;float&gt;, rows spread over
/// threads with Parallel.For when a call is big enough. Reductions (norm statistics, softmax sums) accumulate in
/// double so this backend sits closer to the exact result than a float32 GPU kernel; ops run synchronously.
/// </summary>
public sealed class CpuBackend : IBackend
{
    /// <summary>Rows × work-per-row below which ops stay on the calling thread.</summary>
    private const long ParallelThreshold = 1 << 15;

    public string Name => $"cpu ({Environment.ProcessorCount} threads, Vector<float> x{Vector<float>.Count})";

    public DeviceMemory Allocate(long bytes, string label)
    {
        var elements = (bytes + 3) / 4;
        if (elements > Array.MaxLength) throw new OutOfMemoryException($"'{label}' needs {bytes} bytes, more than one host array can hold");
        return new CpuMemory(new float[elements], label);
    }

    public DeviceTensor UploadWeight(string name, float[] data, int[] shape)
    {
        if (data.LongLength != shape.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"weight '{name}' has {data.Length} values, shape [{string.Join(", ", shape)}] needs a different count", nameof(data));
        return new DeviceTensor(new CpuMemory(data, name), 0, shape, BufferDType.F32, name);
    }

    public void Write(DeviceTensor destination, ReadOnlySpan<float> source) => source.CopyTo(F(destination).Span);
    public void Write(DeviceTensor destination, ReadOnlySpan<int> source) => source.CopyTo(I(destination));
    public void Read(DeviceTensor source, Span<float> destination) => F(source).Span.CopyTo(destination);
    public void Read(DeviceTensor source, Span<int> destination) => I(source).CopyTo(destination);
    public void Synchronize() { }

    public void MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y) =>
        CpuGemm.Run(F(x), F(w), bias is { } b ? F(b) : null, F(y), x.Rows, w.Rows, x.Cols);

    public void LayerNorm(DeviceTensor x, DeviceTensor gamma, DeviceTensor beta, float eps, DeviceTensor y)
    {
        Memory<float> xm = F(x), gm = F(gamma), bm = F(beta), ym = F(y);
        var d = x.Cols;
        Rows(x.Rows, d * 4, r =>
        {
            var xs = xm.Span.Slice(r * d, d);
            double sum = 0;
            foreach (var v in xs) sum += v;
            var mean = sum / d;
            double sq = 0;
            foreach (var v in xs) sq += (v - mean) * (v - mean);
            var inv = (float)(1.0 / Math.Sqrt(sq / d + eps));
            var ys = ym.Span.Slice(r * d, d);
            ReadOnlySpan<float> g = gm.Span, b = bm.Span;
            for (var i = 0; i < d; i++) ys[i] = (float)(xs[i] - mean) * inv * g[i] + b[i];
        });
    }

    public void RmsNorm(DeviceTensor x, DeviceTensor weight, float eps, DeviceTensor y)
    {
        Memory<float> xm = F(x), wm = F(weight), ym = F(y);
        var d = x.Cols;
        Rows(x.Rows, d * 3, r =>
        {
            var xs = xm.Span.Slice(r * d, d);
            double sq = 0;
            foreach (var v in xs) sq += (double)v * v;
            var inv = 1f / MathF.Sqrt((float)(sq / d) + eps);
            var ys = ym.Span.Slice(r * d, d);
            var w = wm.Span;
            for (var i = 0; i < d; i++) ys[i] = xs[i] * inv * (1f + w[i]);
        });
    }

    public void GeluTanh(DeviceTensor x, DeviceTensor y)
    {
        Memory<float> xm = F(x), ym = F(y);
        var d = x.Cols;
        Rows(x.Rows, d * 8, r =>
        {
            var xs = xm.Span.Slice(r * d, d);
            var ys = ym.Span.Slice(r * d, d);
            for (var i = 0; i < d; i++) ys[i] = Gelu(xs[i]);
        });
    }

    public void GeGlu(DeviceTensor gate, DeviceTensor up, DeviceTensor y)
    {
        Memory<float> gm = F(gate), um = F(up), ym = F(y);
        var d = gate.Cols;
        Rows(gate.Rows, d * 8, r =>
        {
            var gs = gm.Span.Slice(r * d, d);
            var us = um.Span.Slice(r * d, d);
            var ys = ym.Span.Slice(r * d, d);
            for (var i = 0; i < d; i++) ys[i] = Gelu(gs[i]) * us[i];
        });
    }

    public void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y) => TensorPrimitives.Add(F(a).Span, F(b).Span, F(y).Span);

    public void Scale(DeviceTensor x, float factor, bool divide, DeviceTensor y)
    {
        if (divide) TensorPrimitives.Divide(F(x).Span, factor, F(y).Span);
        else TensorPrimitives.Multiply(F(x).Span, factor, F(y).Span);
    }

    public void SoftCap(DeviceTensor x, float cap, DeviceTensor y)
    {
        var ys = F(y).Span;
        TensorPrimitives.Divide(F(x).Span, cap, ys);
        TensorPrimitives.Tanh(ys, ys);
        TensorPrimitives.Multiply(ys, cap, ys);
    }

    public void Rope(DeviceTensor x, DeviceTensor cachePositions, int positionOffset, int numHeads, int headDim, float theta, DeviceTensor y)
    {
        var half = headDim / 2;
        // HF: inv_freq = 1 / theta^(arange(0, dim, 2) / dim), all in float32.
        var invFreq = new float[half];
        for (var i = 0; i < half; i++) invFreq[i] = 1f / MathF.Pow(theta, (float)(2 * i) / headDim);
        var positions = I(cachePositions).ToArray();
        Memory<float> xm = F(x), ym = F(y);
        var d = x.Cols;
        Rows(x.Rows, d * 4, t =>
        {
            var p = (float)(positions[t] + positionOffset);
            Span<float> cos = stackalloc float[half], sin = stackalloc float[half];
            for (var i = 0; i < half; i++)
            {
                var a = p * invFreq[i];
                cos[i] = MathF.Cos(a);
                sin[i] = MathF.Sin(a);
            }
            var xs = xm.Span.Slice(t * d, d);
            var ys = ym.Span.Slice(t * d, d);
            for (var h = 0; h < numHeads; h++)
            {
                var o = h * headDim;
                for (var i = 0; i < half; i++)
                {
                    float lo = xs[o + i], hi = xs[o + half + i];
                    ys[o + i] = lo * cos[i] - hi * sin[i];
                    ys[o + half + i] = hi * cos[i] + lo * sin[i];
                }
            }
        });
    }

    public void Attention(DeviceTensor q, DeviceTensor k, DeviceTensor v, DeviceTensor? queryPositions, DeviceTensor? prefixLength, AttentionParams p, DeviceTensor y) =>
        CpuAttention.Run(this, q, k, v, queryPositions, prefixLength, p, y);

    public void KvCacheWrite(DeviceTensor source, DeviceTensor cachePositions, DeviceTensor cache)
    {
        int kvHeads = cache.Shape[0], capacity = cache.Shape[1], hd = cache.Shape[2];
        var src = F(source).Span;
        var dst = F(cache).Span;
        var pos = I(cachePositions);
        for (var t = 0; t < source.Rows; t++)
        {
            var c = pos[t];
            if ((uint)c >= (uint)capacity)
                throw new ModelInputException($"cache position {c} of token {t} is outside the KV cache '{cache.Name}' (capacity {capacity})");
            for (var h = 0; h < kvHeads; h++)
                src.Slice(t * kvHeads * hd + h * hd, hd).CopyTo(dst.Slice((h * capacity + c) * hd, hd));
        }
    }

    public void EmbeddingGather(DeviceTensor table, DeviceTensor ids, DeviceTensor y)
    {
        var vocab = table.Rows;
        var d = table.Cols;
        var tab = F(table).Span;
        var ys = F(y).Span;
        var idv = I(ids);
        for (var t = 0; t < idv.Length; t++)
        {
            if ((uint)idv[t] >= (uint)vocab)
                throw new ModelInputException($"token id {idv[t]} at position {t} of '{ids.Name}' is outside the vocabulary of '{table.Name}' (size {vocab})");
            tab.Slice(idv[t] * d, d).CopyTo(ys.Slice(t * d, d));
        }
    }

    public void ScatterImageFeatures(DeviceTensor embeds, DeviceTensor ids, DeviceTensor features, int imageTokenIndex, DeviceTensor y)
    {
        var idv = I(ids);
        var count = 0;
        foreach (var id in idv) if (id == imageTokenIndex) count++;
        if (count != features.Rows)
            throw new ModelInputException($"'{ids.Name}' holds {count} image tokens (id {imageTokenIndex}) but the image gives {features.Rows} feature rows");
        var d = embeds.Cols;
        var es = F(embeds).Span;
        var fs = F(features).Span;
        var ys = F(y).Span;
        var k = 0;
        for (var t = 0; t < idv.Length; t++)
        {
            var src = idv[t] == imageTokenIndex ? fs.Slice(k++ * d, d) : es.Slice(t * d, d);
            src.CopyTo(ys.Slice(t * d, d));
        }
    }

    public void Patchify(DeviceTensor pixels, int patchSize, DeviceTensor y)
    {
        int c = pixels.Shape[0], h = pixels.Shape[1], w = pixels.Shape[2], ps = patchSize;
        var perRow = w / ps;
        var px = F(pixels).Span;
        var ys = F(y).Span;
        var cols = c * ps * ps;
        for (var patch = 0; patch < y.Rows; patch++)
        {
            int py0 = patch / perRow * ps, px0 = patch % perRow * ps;
            var row = ys.Slice(patch * cols, cols);
            for (var ch = 0; ch < c; ch++)
                for (var ky = 0; ky < ps; ky++)
                    px.Slice((ch * h + py0 + ky) * w + px0, ps).CopyTo(row.Slice((ch * ps + ky) * ps, ps));
        }
    }

    public void SliceRows(DeviceTensor x, int start, DeviceTensor y) =>
        F(x).Span.Slice(start * x.Cols, (int)y.ElementCount).CopyTo(F(y).Span);

    public void GatherLastRow(DeviceTensor x, DeviceTensor length, DeviceTensor y)
    {
        var n = I(length)[0];
        if (n < 1 || n > x.Rows)
            throw new ModelInputException($"length {n} in '{length.Name}' does not select a row of '{x.Name}' ({x.Rows} rows)");
        F(x).Span.Slice((n - 1) * x.Cols, x.Cols).CopyTo(F(y).Span);
    }

    public void ArgMax(DeviceTensor x, int limit, DeviceTensor y)
    {
        var xs = F(x).Span;
        var ys = I(y);
        for (var r = 0; r < x.Rows; r++)
        {
            var row = xs.Slice(r * x.Cols, limit);
            var best = 0;
            for (var i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
            ys[r] = best;
        }
    }

    public void Sample(DeviceTensor x, int limit, DeviceTensor controls, DeviceTensor y)
    {
        var xs = F(x).Span;
        var cs = F(controls).Span;
        var ys = I(y);
        for (var r = 0; r < x.Rows; r++)
        {
            var (parameters, uniform) = SampleControls.Read(cs.Slice(r * SampleControls.Width, SampleControls.Width));
            ys[r] = TokenSampler.Choose(xs.Slice(r * x.Cols, limit), parameters, uniform).Token;
        }
    }

    public void Dispose() { }

    internal static float Gelu(float x)
    {
        const float c = 0.7978845608028654f; // √(2/π)
        return 0.5f * x * (1f + MathF.Tanh(c * (x + 0.044715f * x * x * x)));
    }

    internal static Memory<float> F(DeviceTensor t)
    {
        if (t.Memory is not CpuMemory m) throw new ArgumentException($"tensor '{t.Name}' does not live in CPU memory");
        return new Memory<float>(m.Data, checked((int)(t.ByteOffset / 4)), checked((int)t.ElementCount));
    }

    internal static Span<int> I(DeviceTensor t) => MemoryMarshal.Cast<float, int>(F(t).Span);

    internal static void Rows(int rows, long workPerRow, Action<int> body)
    {
        if (rows * workPerRow < ParallelThreshold || rows == 1)
            for (var r = 0; r < rows; r++) body(r);
        else
            Parallel.For(0, rows, body);
    }
}
