using NUnit.Framework;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// The kernels that move or select values without arithmetic (KV-cache write, embedding gather, image-feature scatter,
/// patchify, row slice, argmax, soft cap + argmax) against the CPU reference op. Inputs are bf16-representable, so a
/// copy must reproduce the reference bit for bit: these comparisons are exact, and every GPU output starts poisoned
/// with NaN so an element the kernel skips cannot pass.
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class GpuDataMovementKernelTests(GpuTarget target)
{
    /// <summary>
    /// Soft cap in fp32 on both sides: tanhf on the device and MathF.Tanh on the host differ by at most a few ulps
    /// (CUDA documents 2 ulp for tanhf); the relative L2 bound allows 64 fp32 ulps.
    /// </summary>
    private const double SoftCapRelative = 64 * Bf16Tolerance.Fp32Roundoff;

    private GpuOpHarness Harness(int seed) => new(target, seed);

    [TestCase(1, 1, 1, 1), TestCase(3, 2, 9, 16), TestCase(5, 1, 7, 72), TestCase(2, 4, 3, 33), TestCase(4, 2, 12, 256)]
    public void KvCacheWriteCopiesRowsToTheirPositionsAndLeavesTheRestAlone(int tokens, int kvHeads, int capacity, int headDim)
    {
        tokens = Math.Min(tokens, capacity);
        using var h = Harness(11_000 + tokens * 1000 + capacity * 10 + headDim);
        // Distinct positions drawn from the whole cache, the last slot included when there is room.
        var positions = Enumerable.Range(0, capacity - 1).OrderBy(_ => h.Random.Next()).Take(tokens - 1).Append(capacity - 1).ToArray();
        var n = positions.Length;
        var source = h.Pair(h.Normal(n * kvHeads * headDim), [n, kvHeads * headDim]);
        var before = h.Normal(kvHeads * capacity * headDim);
        var cache = h.Pair(before, [kvHeads, capacity, headDim]);
        var pos = h.Ints(positions);
        TestContext.Out.WriteLine($"positions [{string.Join(", ", positions)}]");
        h.Gpu.KvCacheWrite(source.Gpu, pos.Gpu, cache.Gpu);
        h.Cpu.KvCacheWrite(source.Cpu, pos.Cpu, cache.Cpu);
        var expected = h.Read(h.Cpu, cache.Cpu);
        Assert.That(expected, Is.Not.EqualTo(before), "the reference wrote something");
        Assert.That(h.Read(h.Gpu, cache.Gpu), Is.EqualTo(expected), "cache after the write, every slot");
    }

    [TestCase(1, 1, 1), TestCase(7, 5, 3), TestCase(4, 33, 64), TestCase(9, 300, 136)]
    public void EmbeddingGatherCopiesTheTableRows(int tokens, int vocab, int cols)
    {
        using var h = Harness(12_000 + vocab * 10 + cols);
        var table = h.Pair(h.Normal(vocab * cols), [vocab, cols]);
        // First and last rows and repeats.
        var ids = Enumerable.Range(0, tokens).Select(t => t == 0 ? vocab - 1 : t == 1 ? 0 : h.Random.Next(vocab)).ToArray();
        var id = h.Ints(ids);
        var y = h.Outputs([tokens, cols]);
        h.Gpu.EmbeddingGather(table.Gpu, id.Gpu, y.Gpu);
        h.Cpu.EmbeddingGather(table.Cpu, id.Cpu, y.Cpu);
        Assert.That(h.Read(h.Gpu, y.Gpu), Is.EqualTo(h.Read(h.Cpu, y.Cpu)), $"ids [{string.Join(", ", ids)}]");
    }

    [Test]
    public void EmbeddingGatherMarksAnIdItCannotCheckWithANanRow()
    {
        // Ids that reach the kernel without host validation (written on the device) must not pass as a valid row.
        using var h = Harness(12_500);
        var table = h.Pair(h.Normal(4 * 8), [4, 8]);
        var id = h.Ints([1, 4, -1]);
        var y = h.Outputs([3, 8]);
        h.Gpu.EmbeddingGather(table.Gpu, id.Gpu, y.Gpu);
        var rows = h.Read(h.Gpu, y.Gpu);
        Assert.That(rows.Take(8).All(float.IsFinite), Is.True, "the valid row");
        Assert.That(rows.Skip(8).All(float.IsNaN), Is.True, "ids 4 (= vocab) and -1 give NaN rows");
    }

    [TestCase(1, 1, 1), TestCase(6, 2, 5), TestCase(10, 4, 64), TestCase(5, 5, 33)]
    public void ScatterImageFeaturesReplacesImageTokenRowsInOrder(int tokens, int imageTokens, int cols)
    {
        const int imageToken = 7;
        using var h = Harness(13_000 + tokens * 100 + cols);
        var slots = Enumerable.Range(0, tokens).OrderBy(_ => h.Random.Next()).Take(imageTokens).ToHashSet();
        var ids = Enumerable.Range(0, tokens).Select(t => slots.Contains(t) ? imageToken : h.Random.Next(0, imageToken)).ToArray();
        var id = h.Ints(ids);
        var embeds = h.Pair(h.Normal(tokens * cols), [tokens, cols]);
        var features = h.Pair(h.Normal(imageTokens * cols, 3), [imageTokens, cols]);
        var y = h.Outputs([tokens, cols]);
        h.Gpu.ScatterImageFeatures(embeds.Gpu, id.Gpu, features.Gpu, imageToken, y.Gpu);
        h.Cpu.ScatterImageFeatures(embeds.Cpu, id.Cpu, features.Cpu, imageToken, y.Cpu);
        Assert.That(h.Read(h.Gpu, y.Gpu), Is.EqualTo(h.Read(h.Cpu, y.Cpu)), $"ids [{string.Join(", ", ids)}]");
    }

    [TestCase(1, 1, 1), TestCase(3, 4, 2), TestCase(3, 14, 7), TestCase(1, 12, 3), TestCase(2, 16, 16)]
    public void PatchifyMatchesReferenceForFloat32AndBf16Pixels(int channels, int size, int patch)
    {
        using var h = Harness(14_000 + size * 10 + patch);
        var pixels = h.Normal(channels * size * size);
        var patches = size / patch * (size / patch);
        foreach (var type in new[] { BufferDType.F32, BufferDType.BF16 })
        {
            var px = h.Pair(pixels, [channels, size, size], type);
            var y = h.Outputs([patches, channels * patch * patch]);
            h.Gpu.Patchify(px.Gpu, patch, y.Gpu);
            h.Cpu.Patchify(px.Cpu, patch, y.Cpu);
            Assert.That(h.Read(h.Gpu, y.Gpu), Is.EqualTo(h.Read(h.Cpu, y.Cpu)), $"pixels stored as {type}");
        }
    }

    [TestCase(1, 0, 1, 1), TestCase(5, 4, 1, 7), TestCase(9, 2, 5, 64), TestCase(6, 0, 6, 3)]
    public void SliceRowsCopiesTheRowRange(int rows, int start, int count, int cols)
    {
        using var h = Harness(15_000 + rows * 100 + start * 10 + cols);
        foreach (var type in new[] { BufferDType.BF16, BufferDType.F32 })
        {
            var x = h.Pair(h.Normal(rows * cols), [rows, cols], type);
            var y = h.Outputs([count, cols], type);
            h.Gpu.SliceRows(x.Gpu, start, y.Gpu);
            h.Cpu.SliceRows(x.Cpu, start, y.Cpu);
            Assert.That(h.Read(h.Gpu, y.Gpu), Is.EqualTo(h.Read(h.Cpu, y.Cpu)), $"rows {start}..{start + count} as {type}");
        }
    }

    [TestCase(1, 1, 1), TestCase(5, 5, 7), TestCase(9, 3, 64), TestCase(32, 22, 300), TestCase(4, 1, 513)]
    public void GatherLastRowCopiesRowLengthMinusOne(int rows, int length, int cols)
    {
        using var h = Harness(15_500 + rows * 100 + length * 10 + cols);
        foreach (var type in new[] { BufferDType.BF16, BufferDType.F32 })
        {
            var x = h.Pair(h.Normal(rows * cols), [rows, cols], type);
            var n = h.Ints([length]);
            var y = h.Outputs([1, cols], type);
            h.Gpu.GatherLastRow(x.Gpu, n.Gpu, y.Gpu);
            h.Cpu.GatherLastRow(x.Cpu, n.Cpu, y.Cpu);
            var expected = h.Read(h.Cpu, y.Cpu);
            Assert.That(expected, Is.EqualTo(h.Read(h.Cpu, x.Cpu).Skip((length - 1) * cols).Take(cols)), "the reference copies row length − 1");
            Assert.That(h.Read(h.Gpu, y.Gpu), Is.EqualTo(expected), $"row {length - 1} of {rows} as {type}");
        }
    }

    [Test]
    public void GatherLastRowMarksALengthItCannotCheckWithANanRow()
    {
        // A length written on the device reaches the kernel without host validation; it must not pass as a valid row.
        using var h = Harness(15_900);
        var x = h.Pair(h.Normal(4 * 8), [4, 8]);
        foreach (var bad in new[] { 0, 5, -1 })
        {
            var y = h.Outputs([1, 8]);
            h.Gpu.GatherLastRow(x.Gpu, h.Ints([bad]).Gpu, y.Gpu);
            Assert.That(h.Read(h.Gpu, y.Gpu).All(float.IsNaN), Is.True, $"length {bad} of 4 rows");
            Assert.Throws<ModelInputException>(() => h.Cpu.GatherLastRow(x.Cpu, h.Ints([bad]).Cpu, h.Outputs([1, 8]).Cpu), $"the reference refuses length {bad}");
        }
    }

    [TestCase(1, 1, 1), TestCase(3, 7, 5), TestCase(2, 300, 257), TestCase(4, 1000, 1000), TestCase(1, 33, 1)]
    public void ArgMaxPicksTheFirstMaximumBelowTheLimit(int rows, int cols, int limit)
    {
        using var h = Harness(16_000 + cols * 10 + limit);
        foreach (var type in new[] { BufferDType.F32, BufferDType.BF16 })
        {
            var values = LogitsWithTiesAndAForbiddenMaximum(h, rows, cols, limit);
            var x = h.Pair(values, [rows, cols], type);
            var y = h.Outputs([rows], BufferDType.I32, BufferDType.I32);
            h.Gpu.ArgMax(x.Gpu, limit, y.Gpu);
            h.Cpu.ArgMax(x.Cpu, limit, y.Cpu);
            var ids = h.ReadInts(h.Gpu, y.Gpu);
            Assert.That(ids, Is.EqualTo(h.ReadInts(h.Cpu, y.Cpu)), $"logits as {type}");
            Assert.That(ids, Has.All.InRange(0, limit - 1), "no id at or above the limit");
        }
    }

    [TestCase(1, 1, 1), TestCase(3, 7, 5), TestCase(2, 300, 257), TestCase(3, 1000, 999)]
    public void SoftCapArgMaxEqualsSoftCapThenArgMaxAndNeverPassesTheLimit(int rows, int cols, int limit)
    {
        const float cap = 30f;
        using var h = Harness(17_000 + cols * 10 + limit);
        var values = LogitsWithTiesAndAForbiddenMaximum(h, rows, cols, limit);
        var x = h.Pair(values, [rows, cols], BufferDType.F32);
        var capped = h.Outputs([rows, cols], BufferDType.F32);
        var ids = h.Outputs([rows], BufferDType.I32, BufferDType.I32);
        h.Gpu.SoftCapArgMax(x.Gpu, cap, limit, capped.Gpu, ids.Gpu);
        h.Cpu.SoftCap(x.Cpu, cap, capped.Cpu);
        h.Cpu.ArgMax(capped.Cpu, limit, ids.Cpu);
        GpuOpHarness.AssertClose("soft-capped logits", h.Read(h.Cpu, capped.Cpu), h.Read(h.Gpu, capped.Gpu), SoftCapRelative);
        var gpuIds = h.ReadInts(h.Gpu, ids.Gpu);
        Assert.That(gpuIds, Is.EqualTo(h.ReadInts(h.Cpu, ids.Cpu)), "greedy ids");
        Assert.That(gpuIds, Has.All.InRange(0, limit - 1), "no id at or above the limit");

        // Without the capped output (greedy decode that does not read logits) the ids are the same.
        var idsOnly = h.Outputs([rows], BufferDType.I32, BufferDType.I32);
        h.Gpu.SoftCapArgMax(x.Gpu, cap, limit, null, idsOnly.Gpu);
        Assert.That(h.ReadInts(h.Gpu, idsOnly.Gpu), Is.EqualTo(gpuIds), "ids without the capped output");
    }

    /// <summary>
    /// Random logits whose row maximum sits at or beyond <paramref name="limit"/> (when there is room), with the best
    /// emittable value repeated so ties must resolve to the lower index. Values are spaced so tanh keeps them apart.
    /// </summary>
    private static float[] LogitsWithTiesAndAForbiddenMaximum(GpuOpHarness h, int rows, int cols, int limit)
    {
        var v = h.Normal(rows * cols, 4);
        for (var r = 0; r < rows; r++)
        {
            var row = v.AsSpan(r * cols, cols);
            var best = h.Random.Next(limit);
            row[best] = 20f;
            var twin = h.Random.Next(limit);
            row[twin] = 20f;
            if (limit < cols) row[limit + h.Random.Next(cols - limit)] = 90f;
        }
        return v;
    }
}
