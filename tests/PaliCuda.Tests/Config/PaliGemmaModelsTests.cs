using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Config;

namespace PaliCuda.Tests.Config;

public class PaliGemmaModelsTests
{
    // The release names round parameter counts to the nearest billion (3B, 10B, 28B); the tied LM head is counted once.
    private const double NameRoundingTolerance = 0.5e9;

    [TestCase("paligemma2-3b-224", 3e9)]
    [TestCase("paligemma2-10b-448", 10e9)]
    [TestCase("paligemma2-28b-896", 28e9)]
    public void ParameterCountMatchesTheReleaseName(string name, double nominal)
    {
        var config = PaliGemmaModels.All[name];
        Assert.That((double)PaliGemmaWeightTable.ParameterCount(config), Is.EqualTo(nominal).Within(NameRoundingTolerance));
    }

    [Test]
    public void WeightTableAgreesWithAClosedFormParameterCount()
    {
        foreach (var (name, c) in PaliGemmaModels.All)
        {
            var v = c.Vision;
            var t = c.Text;
            long dv = v.HiddenSize, dt = t.HiddenSize;
            long visionLayer = 4 * (dv * dv + dv) + 4 * dv + 2 * dv * v.IntermediateSize + v.IntermediateSize + dv;
            long vision = dv * 3 * v.PatchSize * v.PatchSize + dv + (long)v.NumPatches * dv + v.NumLayers * visionLayer + 2 * dv;
            long projector = dt * dv + dt;
            long textLayer = 2 * dt * t.QueryDim + 2 * dt * t.KeyValueDim + 3 * dt * t.IntermediateSize + 4 * dt;
            long text = (long)t.VocabSize * dt + t.NumLayers * textLayer + dt;
            Assert.That(PaliGemmaWeightTable.ParameterCount(c), Is.EqualTo(vision + projector + text), name);
        }
    }

    [Test]
    public void ImageTokenCountsFollowFromResolutionAndPatch()
    {
        foreach (var (name, c) in PaliGemmaModels.All)
        {
            int side = c.Vision.ImageSize / c.Vision.PatchSize;
            Assert.That(c.NumImageTokens, Is.EqualTo(side * side), name);
            Assert.That(c.Vision.ImageSize % c.Vision.PatchSize, Is.Zero, name);
            Assert.That(c.Vision.HeadDim * c.Vision.NumHeads, Is.EqualTo(c.Vision.HiddenSize), name);
            Assert.That(c.Text.NumHeads % c.Text.NumKeyValueHeads, Is.Zero, name);
            Assert.That(c.ImageTokenIndex, Is.LessThan(c.Text.VocabSize), name);
        }
        // So400m/14: 224 px → 16², 448 → 32², 896 → 64² patches.
        Assert.That(PaliGemmaModels.Pg2_3B_224.NumImageTokens, Is.EqualTo(16 * 16));
        Assert.That(PaliGemmaModels.Pg2_10B_448.NumImageTokens, Is.EqualTo(32 * 32));
        Assert.That(PaliGemmaModels.Pg2_28B_896.NumImageTokens, Is.EqualTo(64 * 64));
    }
}
