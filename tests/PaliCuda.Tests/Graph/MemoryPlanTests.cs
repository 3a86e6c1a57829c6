using NUnit.Framework;
using PaliCuda.Config;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Graph;

public class MemoryPlanTests
{
    private static PaliGemmaConfig TinyConfig() => PaliGemmaConfigReader.Read(TestPaths.Fixture("tiny-pg2", "config.json"));

    [Test]
    public void LiveActivationsNeverShareBytesAndReuseShrinksThePeak()
    {
        var graph = new PaliGemmaModel(TinyConfig()).RecordPrefill(22, 34, allLogits: true);
        string[] taps = ["vision_hidden_states.0", "hidden_states.1", "logits"];
        var keep = taps.Select(t => graph.Names[t]).ToHashSet();
        var plan = MemoryPlan.Create(graph, keep);

        var first = new Dictionary<BufferId, int>();
        var last = new Dictionary<BufferId, int>();
        for (var i = 0; i < graph.Ops.Count; i++)
        {
            foreach (var b in graph.Ops[i].Outputs) first.TryAdd(b, i);
            foreach (var b in graph.Ops[i].Inputs.Concat(graph.Ops[i].Outputs)) last[b] = i;
        }
        foreach (var k in keep) last[k] = int.MaxValue;
        var acts = plan.Offsets.Keys.ToList();
        foreach (var a in acts)
            foreach (var b in acts)
            {
                if (a.Index >= b.Index) continue;
                var overlapTime = first[a] <= last[b] && first[b] <= last[a];
                var (oa, ob) = (plan.Offsets[a], plan.Offsets[b]);
                var overlapBytes = oa < ob + graph[b].ByteSize && ob < oa + graph[a].ByteSize;
                Assert.That(overlapTime && overlapBytes, Is.False, $"{graph[a].Name} and {graph[b].Name} overlap while both live");
            }
        TestContext.Out.WriteLine($"peak {plan.PeakBytes} bytes, without reuse {plan.UnplannedBytes}");
        Assert.That(plan.PeakBytes, Is.LessThan(plan.UnplannedBytes / 2));
    }

    [Test]
    public void DecodeGraphTakesTokenAndPositionAsInputs()
    {
        var graph = new PaliGemmaModel(TinyConfig()).RecordDecode(40);
        var inputs = graph.OfKind(BufferKind.Input).Select(b => b.Name).Order().ToArray();
        Assert.That(inputs, Is.EqualTo(new[] { "cache_position", "input_ids", "prefix_length" }));
        Assert.That(graph.OfKind(BufferKind.State).Count(), Is.EqualTo(2 * 3));
    }

    [Test]
    public void BuilderRejectsMismatchedShapesNamingTheOp()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", BufferDType.F32, 4, 8);
        var w = g.Weight("w", 5, 7);
        var ex = Assert.Throws<GraphValidationException>(() => g.MatMul(x, w, null, "y"));
        Assert.That(ex!.Message, Does.Contain("MatMul").And.Contain("x F32[4, 8]"));
        Assert.Throws<GraphValidationException>(() => g.Input("x", BufferDType.F32, 1));
    }
}
