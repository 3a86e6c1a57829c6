using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Soak;

/// <summary>
/// Many generations in one process on one engine: every answer stays HF's, and the managed heap and the process's
/// open file descriptors are flat after warm-up. 1000 generations take 4 to 20 s on 2 cores (4 to 18 ms each, by load), so the
/// test runs with every test run; it is in the <c>Soak</c> category so tests/PaliCuda.Tests/Soak/soak.sh can run it alone.
/// </summary>
public class SoakTests
{
    private const int WarmUpGenerations = 20;
    /// <summary>Managed heap growth allowed after warm-up: a few hundred bytes of leak per generation would exceed it over 1000.</summary>
    private const long MaxHeapGrowthBytes = 1L << 20;
    /// <summary>Open descriptors allowed to appear after warm-up (the runtime may open one lazily, e.g. a perf map).</summary>
    private const int MaxDescriptorGrowth = 2;

    private const int Generations = 1000;

    [Test, Category("Soak")]
    public void ThousandGenerationsStayExactAndFlat()
    {
        const int generations = Generations;
        using var engine = PaliGemmaEngine.Load(TestPaths.TinyPg2);
        var c = TinyCase.Load();
        var options = new GenerationOptions { MaxNewTokens = c.Expected.Length };
        for (var i = 0; i < WarmUpGenerations; i++)
            Assert.That(engine.Generate(c.Pixels, c.InputIds, options).TokenIds, Is.EqualTo(c.Expected));

        var (heapBefore, fdsBefore) = ProcessFootprint.Measure();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < generations; i++)
        {
            var tokens = engine.Generate(c.Pixels, c.InputIds, options).TokenIds;
            if (!tokens.SequenceEqual(c.Expected))
                Assert.Fail($"generation {i} answered [{string.Join(", ", tokens)}]");
        }
        clock.Stop();
        var (heapAfter, fdsAfter) = ProcessFootprint.Measure();

        TestContext.Out.WriteLine($"{generations} generations in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({clock.Elapsed.TotalMilliseconds / generations:F2} ms each); managed heap {heapBefore} -> {heapAfter} bytes " +
            $"({heapAfter - heapBefore:+#;-#;0}); open descriptors {fdsBefore} -> {fdsAfter}");
        Assert.That(heapAfter - heapBefore, Is.LessThan(MaxHeapGrowthBytes), "managed heap growth after warm-up");
        Assert.That(fdsAfter - fdsBefore, Is.LessThanOrEqualTo(MaxDescriptorGrowth), "open descriptor growth after warm-up");
    }
}
