using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Backends;
using PaliCuda.Backends.Gpu;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>One attention call on the GPU backend and on the CPU reference with the same random bf16 inputs.</summary>
internal static class AttentionCheck
{
    /// <summary>The named attention.prefill variant for every query count (no decode kernel for short query batches).</summary>
    public static GpuBackendOptions ForcedPrefill(string variant) =>
        new() { Variants = new Dictionary<string, string> { [KernelVariants.AttentionPrefill] = variant }, DecodeMaxQueries = 0 };

    /// <summary>Queries and keys with standard deviation 2 (scores spread enough to exercise the soft cap), values 1.</summary>
    public static ((DeviceTensor Gpu, DeviceTensor Cpu) Q, (DeviceTensor Gpu, DeviceTensor Cpu) K, (DeviceTensor Gpu, DeviceTensor Cpu) V) Inputs(
        GpuOpHarness h, AttentionParams p, int queries, int capacity)
    {
        var q = h.Pair(h.Normal(queries * p.NumHeads * p.HeadDim, 2), [queries, p.NumHeads * p.HeadDim]);
        int[] kvShape = p.Layout == KvLayout.HeadMajorCache ? [p.NumKvHeads, capacity, p.HeadDim] : [capacity, p.NumKvHeads * p.HeadDim];
        var k = h.Pair(h.Normal(p.NumKvHeads * capacity * p.HeadDim, 2), kvShape);
        var v = h.Pair(h.Normal(p.NumKvHeads * capacity * p.HeadDim), kvShape);
        return (q, k, v);
    }

    /// <summary>
    /// Runs <paramref name="p"/> over <paramref name="capacity"/> keys on both backends and asserts the GPU result within
    /// <paramref name="tolerance"/> of the reference; prints the GPU time and the seed.
    /// </summary>
    public static void AgainstReference(GpuTarget target, AttentionParams p, int queries, int capacity, int? prefix, int[]? positions, int seed,
        GpuBackendOptions options, double tolerance)
    {
        using var h = new GpuOpHarness(target, seed, options);
        var (q, k, v) = Inputs(h, p, queries, capacity);
        (DeviceTensor? Gpu, DeviceTensor? Cpu) qp = positions is null ? (null, null) : h.Ints(positions);
        (DeviceTensor? Gpu, DeviceTensor? Cpu) pl = prefix is { } n ? h.Ints([n]) : (null, null);
        var y = h.Outputs([queries, p.NumHeads * p.HeadDim]);
        var clock = Stopwatch.StartNew();
        h.Gpu.Attention(q.Gpu, k.Gpu, v.Gpu, qp.Gpu, pl.Gpu, p, y.Gpu);
        var actual = h.Read(h.Gpu, y.Gpu);
        TestContext.Out.WriteLine($"{h.Gpu.Name}: {clock.Elapsed.TotalMilliseconds:F0} ms (seed {seed})");
        h.Cpu.Attention(q.Cpu, k.Cpu, v.Cpu, qp.Cpu, pl.Cpu, p, y.Cpu);
        GpuOpHarness.AssertClose($"attention {p.NumHeads}/{p.NumKvHeads} heads, d={p.HeadDim}, {queries} queries over {capacity} keys, prefix {prefix}, {p.Mask}, cap {p.SoftCap}",
            h.Read(h.Cpu, y.Cpu), actual, tolerance);
    }
}
