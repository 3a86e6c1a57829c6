namespace PaliCuda.Tests.Backends;

/// <summary>Straightforward double-precision scalar references for the CPU backend's ops.</summary>
internal static class NaiveOps
{
    public const double Roundoff = 1.0 / (1 << 24);

    public static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    public static double[] MatMul(float[] x, float[] w, float[]? b, int m, int n, int k, out double[] absSum)
    {
        var y = new double[m * n];
        absSum = new double[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double s = b?[j] ?? 0, a = Math.Abs(b?[j] ?? 0);
                for (var q = 0; q < k; q++)
                {
                    s += (double)x[i * k + q] * w[j * k + q];
                    a += Math.Abs((double)x[i * k + q] * w[j * k + q]);
                }
                y[i * n + j] = s;
                absSum[i * n + j] = a;
            }
        return y;
    }

    /// <summary>Attention for one (query row, head) with an explicit visibility predicate over key indices.</summary>
    public static double[] Attention(Func<int, float[]> key, Func<int, float[]> value, float[] q, int keys, double scale, double? cap, Func<int, bool> visible)
    {
        var s = new double[keys];
        var max = double.NegativeInfinity;
        for (var j = 0; j < keys; j++)
        {
            if (!visible(j)) { s[j] = double.NegativeInfinity; continue; }
            var kv = key(j);
            double d = 0;
            for (var i = 0; i < q.Length; i++) d += (double)q[i] * kv[i];
            d *= scale;
            if (cap is { } c) d = c * Math.Tanh(d / c);
            s[j] = d;
            max = Math.Max(max, d);
        }
        double sum = 0;
        for (var j = 0; j < keys; j++) sum += s[j] = double.IsNegativeInfinity(s[j]) ? 0 : Math.Exp(s[j] - max);
        var o = new double[q.Length];
        for (var j = 0; j < keys; j++)
        {
            if (s[j] == 0) continue;
            var v = value(j);
            for (var i = 0; i < o.Length; i++) o[i] += s[j] / sum * v[i];
        }
        return o;
    }
}
