using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// kernels/sampling.cu against <see cref="TokenSampler"/>, the CPU reference. The masses are integers and the kernel's
/// fp32 steps are the reference's (IEEE fma, multiply, divide; no library exp), so the comparison is exact: the kept
/// set (its size, which identifies it, see <see cref="SampleChoice"/>) and the drawn id must equal the reference's for
/// every row, with no rounding allowance. Outputs start poisoned (−1), so an unwritten id fails. The parameters reach the
/// kernel as data (<see cref="SampleControls"/>, F32 [rows, 4]), and the reference reads them back from the same floats.
/// Emulated runtime: the sweep uses vocabularies up to 3000; one 32 768-column case stands for the large ones
/// (257 216 in PaliGemma runs the same code with longer per-thread chunks).
/// </summary>
[TestFixture(GpuTarget.Emulated)]
[TestFixture(GpuTarget.Cuda, Category = "Gpu")]
public class GpuSamplingKernelTests(GpuTarget target)
{
    /// <summary>Soft cap in fp32 on both sides: tanhf against MathF.Tanh, a few ulps (as for the fused argmax): 64 fp32 ulps.</summary>
    private const double SoftCapRelative = 64 * Bf16Tolerance.Fp32Roundoff;

    private static readonly float[] Temperatures = [0.3f, 1f, 2f];
    private static readonly float[] TopPs = [0.1f, 0.5f, 0.9f, 1f];

    private GpuOpHarness Harness(int seed) => new(target, seed);

    [TestCase(1, 1), TestCase(7, 5), TestCase(100, 100), TestCase(1000, 999), TestCase(3000, 2890)]
    public void SampleEqualsTheReferenceAcrossTemperatureTopKAndTopP(int cols, int limit)
    {
        using var h = Harness(31_000 + cols);
        var logits = Logits(h, cols, limit);
        var x = h.Pair(logits, [Rows, cols], BufferDType.F32);
        var uniforms = new DeterministicRandom((ulong)h.Seed);
        foreach (var t in Temperatures)
            foreach (var k in new[] { 0, 1, 5, limit + 3 })
                foreach (var p in TopPs)
                    AssertSampleMatches(h, x.Gpu, logits, cols, limit, new SampleParameters(t, k, p), uniforms);
    }

    [Test]
    public void ALargeVocabularyMatchesTheReference()
    {
        const int cols = 32_768, limit = 32_700;
        using var h = Harness(32_000);
        var logits = Logits(h, cols, limit);
        var x = h.Pair(logits, [Rows, cols], BufferDType.F32);
        var uniforms = new DeterministicRandom(32_000);
        foreach (var p in new[] { new SampleParameters(1f, 0, 1f), new SampleParameters(0.7f, 50, 0.9f), new SampleParameters(1.5f, 0, 0.95f) })
            AssertSampleMatches(h, x.Gpu, logits, cols, limit, p, uniforms);
    }

    [TestCase(1, 1), TestCase(7, 5), TestCase(1000, 999)]
    public void SoftCapSampleWritesTheCappedRowAndSamplesFromIt(int cols, int limit)
    {
        const float cap = 30f;
        using var h = Harness(33_000 + cols);
        foreach (var type in new[] { BufferDType.F32, BufferDType.BF16 })
        {
            var raw = GpuOpHarness.RoundBf16(Logits(h, cols, limit).Select(v => 8 * v).ToArray());
            var x = h.Pair(raw, [Rows, cols], type);
            var uniforms = new DeterministicRandom((ulong)h.Seed);
            foreach (var p in new[] { new SampleParameters(1f, 0, 1f), new SampleParameters(0.5f, 5, 0.9f) })
            {
                var controls = Controls(h, uniforms, p);
                var capped = h.Outputs([Rows, cols], BufferDType.F32);
                var ids = h.Outputs([Rows], BufferDType.I32, BufferDType.I32);
                var kept = h.Outputs([Rows], BufferDType.I32, BufferDType.I32);
                h.Gpu.SoftCapSample(x.Gpu, cap, limit, capped.Gpu, controls.Gpu, ids.Gpu, kept.Gpu);
                h.Cpu.SoftCap(x.Cpu, cap, capped.Cpu);
                var deviceCapped = h.Read(h.Gpu, capped.Gpu);
                var referenceCapped = h.Read(h.Cpu, capped.Cpu);
                // NaN stays NaN; the rest is compared as numbers (a NaN would make the relative error NaN, which no bound rejects).
                var numbers = Enumerable.Range(0, referenceCapped.Length).Where(i => !float.IsNaN(referenceCapped[i])).ToArray();
                Assert.That(Enumerable.Range(0, referenceCapped.Length).Except(numbers).Select(i => deviceCapped[i]), Has.All.NaN, "NaN logits");
                GpuOpHarness.AssertClose($"soft-capped logits ({type})", numbers.Select(i => referenceCapped[i]).ToArray(),
                    numbers.Select(i => deviceCapped[i]).ToArray(), SoftCapRelative);
                // The draw is exact given the capped values, so it is checked against the device's own capped row.
                AssertEqualsReference(h, deviceCapped, cols, limit, h.Read(h.Cpu, controls.Cpu), ids.Gpu, kept.Gpu, $"fused, {type}");
            }
        }
    }

    [Test]
    public void ARowOfNaNGivesIdZeroAsTheArgMaxDoes()
    {
        using var h = Harness(35_000);
        var x = h.Pair([float.NaN, float.NaN, float.NaN, 2f, float.NaN, float.NaN], [2, 3], BufferDType.F32);
        var row = SampleControls.Of(new SampleParameters(1f, 2, 0.5f), 0.6f);
        var controls = h.Pair([.. row, .. row], [2, SampleControls.Width], BufferDType.F32);
        var ids = h.Outputs([2], BufferDType.I32, BufferDType.I32);
        var kept = h.Outputs([2], BufferDType.I32, BufferDType.I32);
        h.Gpu.Sample(x.Gpu, 3, controls.Gpu, ids.Gpu, kept.Gpu);
        Assert.That(h.ReadInts(h.Gpu, ids.Gpu), Is.EqualTo(new[] { 0, 0 }), "row 0 has no candidate; row 1's only candidate is id 0");
        Assert.That(h.ReadInts(h.Gpu, kept.Gpu), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void BadArgumentsAreRefusedBeforeLaunch()
    {
        using var h = Harness(34_000);
        var x = h.Pair(h.Normal(2 * 8), [2, 8], BufferDType.F32);
        var row = SampleControls.Of(new SampleParameters(1f, 0, 1f), 0.1f);
        var controls = h.Pair([.. row, .. row], [2, SampleControls.Width], BufferDType.F32);
        var ids = h.Outputs([2], BufferDType.I32, BufferDType.I32);
        Assert.DoesNotThrow(() => h.Gpu.Sample(x.Gpu, 8, controls.Gpu, ids.Gpu), "the well-formed call the others differ from");
        Assert.Throws<PaliCuda.Backends.Gpu.GpuLaunchException>(() => h.Gpu.Sample(x.Gpu, 9, controls.Gpu, ids.Gpu));
        var uniformOnly = h.Pair([0.1f, 0.2f], [2], BufferDType.F32);
        Assert.Throws<PaliCuda.Backends.Gpu.GpuLaunchException>(() => h.Gpu.Sample(x.Gpu, 8, uniformOnly.Gpu, ids.Gpu), "one float per row is not a row of controls");
        var intControls = h.Outputs([2, SampleControls.Width], BufferDType.I32, BufferDType.I32);
        Assert.Throws<PaliCuda.Backends.Gpu.GpuLaunchException>(() => h.Gpu.Sample(x.Gpu, 8, intControls.Gpu, ids.Gpu));
        var bf16 = h.Pair(h.Normal(2 * 8), [2, 8]);
        Assert.Throws<PaliCuda.Backends.Gpu.GpuLaunchException>(() => h.Gpu.Sample(bf16.Gpu, 8, controls.Gpu, ids.Gpu));
        // Values are checked where they are written (and where the CPU reference reads them), not at launch.
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleControls.Of(new SampleParameters(1f, 0, 0f), 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleControls.Of(new SampleParameters(0f, 0, 1f), 0.5f));
    }

    /// <summary>
    /// One launch, every row with other controls (u, T, k, p): each row must draw what the reference draws with its own,
    /// so the kernel reads the controls of its row, not of row 0.
    /// </summary>
    [Test]
    public void EachRowSamplesWithItsOwnControls()
    {
        const int cols = 1000, limit = 999;
        using var h = Harness(36_000);
        var one = Logits(h, cols, limit).AsSpan(0, cols).ToArray();
        var logits = Enumerable.Repeat(one, Rows).SelectMany(r => r).ToArray();
        var x = h.Pair(logits, [Rows, cols], BufferDType.F32);
        SampleParameters[] settings = [new(0.3f, 0, 1f), new(1f, 7, 1f), new(2f, 0, 0.5f), new(1f, 50, 0.9f)];
        float[] u = [0.9f, 0.2f, 0.7f, 0.4f];
        var rows = settings.Zip(u, SampleControls.Of).SelectMany(r => r).ToArray();
        var controls = h.Pair(rows, [Rows, SampleControls.Width], BufferDType.F32);
        var ids = h.Outputs([Rows], BufferDType.I32, BufferDType.I32);
        var kept = h.Outputs([Rows], BufferDType.I32, BufferDType.I32);
        h.Gpu.Sample(x.Gpu, limit, controls.Gpu, ids.Gpu, kept.Gpu);
        AssertEqualsReference(h, logits, cols, limit, rows, ids.Gpu, kept.Gpu, "per-row controls");
        var alike = settings.Select(p => TokenSampler.Choose(one.AsSpan(0, limit), p, u[0]).Kept).Distinct().Count();
        Assert.That(alike, Is.EqualTo(Rows), "the settings keep sets of different sizes, so a row reading another row's controls shows");
    }

    /// <summary>
    /// Controls the host never writes (it validates first) still give the documented, defined draw (see the kernel
    /// header): T ≤ 0 or NaN acts as T = 0 (only the maximum has mass: with a unique maximum, the argmax); p ≤ 0 or NaN
    /// keeps only the first id of the order; k &lt; 1, NaN or beyond the limit is off and a fraction is truncated;
    /// T = +∞ draws among all. Every id is below the limit. The CPU reference refuses such rows with a typed exception.
    /// </summary>
    [Test]
    public void ControlsTheHostWouldRefuseGiveTheDocumentedDraw()
    {
        const int cols = 100, limit = 97;
        using var h = Harness(37_000);
        var one = h.Normal(cols, 3);
        var argmax = Enumerable.Range(0, limit).MaxBy(i => one[i]);
        (float T, float K, float P, int ExpectedKept, int? ExpectedId, string What)[] cases =
        [
            (0f, 0, 1f, limit, argmax, "T = 0"),
            (-1f, 0, 1f, limit, argmax, "T < 0"),
            (float.NaN, 5, 1f, 5, argmax, "T NaN"),
            (1f, 0, 0f, 1, argmax, "p = 0"),
            (1f, 0, float.NaN, 1, argmax, "p NaN"),
            (1f, float.NaN, 1f, limit, null, "k NaN"),
            (1f, -3f, 1f, limit, null, "k < 0"),
            (1f, 1e30f, 1f, limit, null, "k huge"),
            (1f, 2.5f, 1f, 2, null, "k = 2.5"),
            (float.PositiveInfinity, 0, 1f, limit, null, "T = +inf"),
        ];
        var n = cases.Length;
        var logits = Enumerable.Repeat(one, n).SelectMany(r => r).ToArray();
        var x = h.Pair(logits, [n, cols], BufferDType.F32);
        var rows = cases.SelectMany(c => new[] { 0.7f, c.T, c.K, c.P }).ToArray();
        var controls = h.Pair(rows, [n, SampleControls.Width], BufferDType.F32);
        var ids = h.Outputs([n], BufferDType.I32, BufferDType.I32);
        var kept = h.Outputs([n], BufferDType.I32, BufferDType.I32);
        h.Gpu.Sample(x.Gpu, limit, controls.Gpu, ids.Gpu, kept.Gpu);
        var deviceIds = h.ReadInts(h.Gpu, ids.Gpu);
        var deviceKept = h.ReadInts(h.Gpu, kept.Gpu);
        for (var r = 0; r < n; r++)
        {
            Assert.That(deviceIds[r], Is.InRange(0, limit - 1), cases[r].What);
            Assert.That(deviceKept[r], Is.EqualTo(cases[r].ExpectedKept), $"kept-set size, {cases[r].What}");
            if (cases[r].ExpectedId is { } id) Assert.That(deviceIds[r], Is.EqualTo(id), $"token, {cases[r].What}");
        }
        var cpuIds = h.Outputs([n], BufferDType.I32, BufferDType.I32);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Cpu.Sample(x.Cpu, limit, controls.Cpu, cpuIds.Cpu));
    }

    private const int Rows = 4;

    /// <summary>
    /// Four rows: continuous random logits; logits on a coarse grid (heavy ties, so both the top-k and the top-p cut fall
    /// inside a run of equal values); random logits with a NaN (the row maximum when there is room) and −∞; and a row of
    /// one value everywhere. Row 0 starts with an id of no mass; a maximum at or beyond the limit where there is room.
    /// </summary>
    private static float[] Logits(GpuOpHarness h, int cols, int limit)
    {
        var v = new float[Rows * cols];
        var normal = h.Normal(Rows * cols, 3);
        for (var c = 0; c < cols; c++)
        {
            v[c] = normal[c];
            v[cols + c] = MathF.Round(normal[cols + c]) / 2;
            v[2 * cols + c] = normal[2 * cols + c];
            v[3 * cols + c] = 1.25f;
        }
        if (limit > 2)
        {
            v[0] = -100f; // no mass at any tested temperature, yet kept when top-k and top-p keep everything
            v[2 * cols + h.Random.Next(limit)] = float.NaN;
            v[2 * cols + h.Random.Next(limit)] = float.NegativeInfinity;
        }
        if (cols > limit)
            for (var r = 0; r < Rows; r++) v[r * cols + limit + h.Random.Next(cols - limit)] = 40f;
        return v;
    }

    /// <summary>Controls [Rows, 4]: parameters <paramref name="p"/> in every row, each row's u from <paramref name="random"/>.</summary>
    private static (PaliCuda.Backends.DeviceTensor Gpu, PaliCuda.Backends.DeviceTensor Cpu) Controls(GpuOpHarness h, DeterministicRandom random,
        SampleParameters p)
    {
        // Half the time row 0 draws at u = 0, otherwise row 3 just below 1: the two ends of the draw (at u = 0 an id
        // of zero mass before the first massive one must not be taken).
        var u = Enumerable.Range(0, Rows).Select(_ => random.NextSingle()).ToArray();
        if (u[1] < 0.5f) u[0] = 0f;
        else u[3] = 1f - 1f / (1 << 24);
        return h.Pair(u.SelectMany(v => SampleControls.Of(p, v)).ToArray(), [Rows, SampleControls.Width], BufferDType.F32);
    }

    private static void AssertSampleMatches(GpuOpHarness h, PaliCuda.Backends.DeviceTensor x, float[] logits, int cols, int limit,
        SampleParameters p, DeterministicRandom uniforms)
    {
        var controls = Controls(h, uniforms, p);
        var ids = h.Outputs([Rows], BufferDType.I32, BufferDType.I32);
        var kept = h.Outputs([Rows], BufferDType.I32, BufferDType.I32);
        h.Gpu.Sample(x, limit, controls.Gpu, ids.Gpu, kept.Gpu);
        AssertEqualsReference(h, logits, cols, limit, h.Read(h.Cpu, controls.Cpu), ids.Gpu, kept.Gpu, "");
    }

    /// <summary>Every row's device id and kept-set size equal the reference's with the parameters and u read from that row's controls.</summary>
    private static void AssertEqualsReference(GpuOpHarness h, float[] logits, int cols, int limit, float[] controls,
        PaliCuda.Backends.DeviceTensor ids, PaliCuda.Backends.DeviceTensor kept, string what)
    {
        var deviceIds = h.ReadInts(h.Gpu, ids);
        var deviceKept = h.ReadInts(h.Gpu, kept);
        for (var r = 0; r < Rows; r++)
        {
            var (p, u) = SampleControls.Read(controls.AsSpan(r * SampleControls.Width, SampleControls.Width));
            var expected = TokenSampler.Choose(logits.AsSpan(r * cols, limit), p, u);
            var where = $"{what} row {r}, cols {cols}, limit {limit}, {p}, u {u:R}";
            Assert.That(deviceKept[r], Is.EqualTo(expected.Kept), $"kept-set size, {where}");
            Assert.That(deviceIds[r], Is.EqualTo(expected.Token), $"token, {where}");
        }
        Assert.That(deviceIds, Has.All.InRange(0, limit - 1), "no id at or above the limit");
    }
}
