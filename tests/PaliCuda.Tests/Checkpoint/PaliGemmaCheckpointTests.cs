using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Checkpoint;

namespace PaliCuda.Tests.Checkpoint;

public class PaliGemmaCheckpointTests
{
    [Test]
    public void TinyFixtureOpensWithEveryRequiredTensor()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tiny-pg2", "reference.json")));
        int stored = reference.RootElement.GetProperty("checkpoint").GetProperty("tensor_count").GetInt32();
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);

        Assert.That(checkpoint.Layout, Is.EqualTo(CheckpointLayout.Transformers4));
        Assert.That(checkpoint.RequiredTensors, Has.Count.EqualTo(stored), "the table lists exactly the stored tensors");
        Assert.That(checkpoint.UnusedTensors, Is.Empty);
        Assert.That(checkpoint.Weights.Names, Has.Count.EqualTo(stored));
        Assert.That(checkpoint.Weights.TryDescribe(PaliGemmaWeightNames.LmHead, out _), Is.False, "LM head is tied, not stored");
        Assert.That(checkpoint.GenerationConfig, Is.Not.Null);
        Assert.That(checkpoint.GenerationConfig!.EosTokenIds, Is.EqualTo(new[] { checkpoint.Config.EosTokenId }));
        Assert.That(checkpoint.Directory, Is.EqualTo(Path.GetFullPath(TestPaths.TinyPg2)));
        foreach (var expected in checkpoint.RequiredTensors)
            Assert.That(checkpoint.Weights.Describe(expected.Name).Shape, Is.EqualTo(expected.Shape), expected.Name);
    }

    [Test]
    public void DemoModelOpensAndValidatesEveryByte()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.DemoModel());
        using var raw = SafetensorsFile.Open(TestPaths.DemoModel("model.safetensors"));
        Assert.That(checkpoint.RequiredTensors.Select(t => t.Name), Is.EquivalentTo(raw.Names));

        var reports = new List<CheckpointLoadProgress>();
        checkpoint.ValidateAll(new SynchronousProgress<CheckpointLoadProgress>(reports.Add));
        Assert.That(reports, Is.Not.Empty);
        Assert.That(reports[^1].BytesDone, Is.EqualTo(raw.Names.Sum(n => raw.Describe(n).ByteLength)));
        Assert.That(reports[^1].Fraction, Is.EqualTo(1.0));
        Assert.That(reports.Select(r => r.BytesDone), Is.Ordered);
    }
}
