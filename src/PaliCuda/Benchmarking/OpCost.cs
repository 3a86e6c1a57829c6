namespace PaliCuda.Benchmarking;

/// <summary>
/// FLOP and byte counts per op × shape, the one place benchmarks, <c>palicuda kernels compare</c> and the floor
/// tables take them from. Bytes are the minimum traffic: each input read once, each output written once, in the
/// element size the backend stores (2 for bf16 on GPUs, 4 for the CPU's float32); index tensors are 4 bytes.
/// FLOPs count a multiply-add as 2; transcendental functions count as 1 (they are not what limits these ops).
/// </summary>
public static class OpCost
{
    public const int Bf16Bytes = 2;

    public static OpWork Of(OpShape s, int elementBytes = Bf16Bytes)
    {
        double e = elementBytes;
        switch (s.Op)
        {
            case KernelOps.MatMul:
            {
                double m = s["m"], n = s["n"], k = s["k"];
                return new OpWork(2 * m * n * k, e * (m * k + n * k + m * n));
            }
            case KernelOps.RmsNorm:
            {
                double r = s["rows"], c = s["cols"];
                // square-accumulate (2), normalise and scale by (1 + w) (3) per element.
                return new OpWork(5 * r * c, e * (2 * r * c + c));
            }
            case KernelOps.AddRmsNorm:
            {
                double r = s["rows"], c = s["cols"];
                // two norms (5 each) and the residual add (1); reads residual and branch, writes h and y.
                return new OpWork(11 * r * c, e * (4 * r * c + 2 * c));
            }
            case KernelOps.LayerNorm:
            {
                double r = s["rows"], c = s["cols"];
                // mean, variance (3), normalise, scale and shift (3).
                return new OpWork(7 * r * c, e * (2 * r * c + 2 * c));
            }
            case KernelOps.GeGlu:
            {
                double r = s["rows"], c = s["cols"];
                // tanh-GELU ≈ 8 operations plus one tanh, then the product with up.
                return new OpWork(10 * r * c, e * 3 * r * c);
            }
            case KernelOps.Rope:
            {
                double r = s["rows"], hd = (double)s["heads"] * s["head_dim"];
                // per pair: sin, cos and a 2×2 rotation (6).
                return new OpWork(4 * r * hd, e * 2 * r * hd + 4 * r);
            }
            case KernelOps.AttentionPrefill:
            case KernelOps.AttentionDecode:
            {
                double q = s["q"], kv = s["kv"], h = s["heads"], kvh = s["kv_heads"], d = s["head_dim"];
                // QKᵀ and PV: 2·d each per (query, key, head); the softmax's few operations per score are not counted.
                return new OpWork(4 * q * kv * h * d, e * (2 * q * h * d + 2 * kv * kvh * d));
            }
            default:
                throw new ArgumentException($"no cost model for op '{s.Op}'", nameof(s));
        }
    }
}
