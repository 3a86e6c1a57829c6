using NUnit.Framework;
using PaliCuda.Benchmarking;

namespace PaliCuda.Tests.Benchmarking;

/// <summary>The floor arithmetic of docs/PERFORMANCE.md, checked against the model's own graph, and the table it prints.</summary>
public class ModelFloorTests
{
    [Test]
    public void ParameterCountsMatchTheWeightsTheModelGraphDeclares()
    {
        foreach (var (name, config) in BenchmarkModels.Released.Append((BenchmarkModels.TinyName, BenchmarkModels.Tiny)))
        {
            var floor = ModelFloor.For(name, config);
            using var store = new RandomWeightStore(config);
            Assert.That(floor.VisionParameters + floor.DecoderParameters, Is.EqualTo(store.ParameterCount), name);
        }
    }

    [Test]
    public void FloorsGrowWithModelSizeAndResolutionAndTheTablePrints()
    {
        var floors = ModelFloor.Released();
        var ceilings = new DeviceCeilings("example ceilings", 3.0e12, 8.0e14, 0, 0, 0, 0);
        foreach (var size in new[] { "3b", "10b", "28b" })
        {
            var bySize = floors.Where(f => f.Model.StartsWith(size + "-", StringComparison.Ordinal)).ToList();
            Assert.That(bySize, Has.Count.EqualTo(3));
            Assert.That(bySize.Select(f => f.PrefillFlops), Is.Ordered.Ascending, size);
            Assert.That(bySize.Select(f => f.DecodeBytes), Is.Ordered.Ascending, size);
        }
        var table = ModelFloor.MarkdownTable(floors, ceilings);
        TestContext.Out.WriteLine(table);
        Assert.That(table.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| model", StringComparison.Ordinal) && !l.StartsWith("| ---", StringComparison.Ordinal)), Is.EqualTo(9));
    }
}
