using System.Numerics;

namespace PaliCuda.Backends.Cpu;

/// <summary>
/// Y[m, n] = X[m, :]·W[n, :] + b[n] for row-major X [M, K] and W [N, K] (HF Linear layout: both operands contiguous
/// along K). Work is cut into tiles of <see cref="RowTile"/> activation rows × <see cref="ColTile"/> weight rows; inside
/// a tile a micro-kernel streams one activation row against four weight rows at once, so each X load feeds four
/// fused multiply-adds and the tile's weight rows stay in cache while the activation rows pass over them.
/// </summary>
internal static class CpuGemm
{
    private const int RowTile = 16;
    private const int ColTile = 64;
    /// <summary>Below this many multiply-adds, thread hand-off costs more than it saves.</summary>
    private const long ParallelThreshold = 1 << 17;

    public static void Run(Memory<float> x, Memory<float> w, Memory<float>? bias, Memory<float> y, int m, int n, int k)
    {
        var mTiles = (m + RowTile - 1) / RowTile;
        var nTiles = (n + ColTile - 1) / ColTile;
        var tiles = mTiles * nTiles;
        void Tile(int t)
        {
            var m0 = t / nTiles * RowTile;
            var n0 = t % nTiles * ColTile;
            RunTile(x.Span, w.Span, bias is { } b ? b.Span : default, y.Span, m0, Math.Min(m, m0 + RowTile), n0, Math.Min(n, n0 + ColTile), n, k);
        }
        if ((long)m * n * k < ParallelThreshold || tiles == 1)
            for (var t = 0; t < tiles; t++) Tile(t);
        else
            Parallel.For(0, tiles, Tile);
    }

    private static void RunTile(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        int m0, int m1, int n0, int n1, int n, int k)
    {
        var j = n0;
        for (; j + 4 <= n1; j += 4)
        {
            var w0 = w.Slice(j * k, k);
            var w1 = w.Slice((j + 1) * k, k);
            var w2 = w.Slice((j + 2) * k, k);
            var w3 = w.Slice((j + 3) * k, k);
            for (var i = m0; i < m1; i++)
            {
                Dot4(x.Slice(i * k, k), w0, w1, w2, w3, out var s0, out var s1, out var s2, out var s3);
                var row = y.Slice(i * n + j, 4);
                row[0] = s0; row[1] = s1; row[2] = s2; row[3] = s3;
            }
        }
        for (; j < n1; j++)
        {
            var wr = w.Slice(j * k, k);
            for (var i = m0; i < m1; i++) y[i * n + j] = System.Numerics.Tensors.TensorPrimitives.Dot(x.Slice(i * k, k), wr);
        }
        if (!bias.IsEmpty)
            for (var i = m0; i < m1; i++)
                for (var c = n0; c < n1; c++) y[i * n + c] += bias[c];
    }

    private static void Dot4(ReadOnlySpan<float> x, ReadOnlySpan<float> w0, ReadOnlySpan<float> w1, ReadOnlySpan<float> w2, ReadOnlySpan<float> w3,
        out float s0, out float s1, out float s2, out float s3)
    {
        var width = Vector<float>.Count;
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + width <= x.Length; i += width)
        {
            var xv = new Vector<float>(x.Slice(i));
            a0 = Vector.FusedMultiplyAdd(xv, new Vector<float>(w0.Slice(i)), a0);
            a1 = Vector.FusedMultiplyAdd(xv, new Vector<float>(w1.Slice(i)), a1);
            a2 = Vector.FusedMultiplyAdd(xv, new Vector<float>(w2.Slice(i)), a2);
            a3 = Vector.FusedMultiplyAdd(xv, new Vector<float>(w3.Slice(i)), a3);
        }
        s0 = Vector.Sum(a0); s1 = Vector.Sum(a1); s2 = Vector.Sum(a2); s3 = Vector.Sum(a3);
        for (; i < x.Length; i++)
        {
            s0 += x[i] * w0[i]; s1 += x[i] * w1[i]; s2 += x[i] * w2[i]; s3 += x[i] * w3[i];
        }
    }
}
