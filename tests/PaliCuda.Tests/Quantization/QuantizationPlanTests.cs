using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Quantization;

public class QuantizationPlanTests
{
    [Test]
    public void Int4PlanKeepsSiglipBf16AndTheEmbeddingInt8()
    {
        var plan = QuantizationPlan.ForWeights(WeightFormat.Int4);
        Assert.That(plan.FormatFor(PaliGemmaWeightNames.TextLayer(0, "mlp.up_proj.weight"), 2), Is.EqualTo(WeightFormat.Int4));
        Assert.That(plan.FormatFor(PaliGemmaWeightNames.TextLayer(0, "input_layernorm.weight"), 1), Is.EqualTo(WeightFormat.BF16));
        Assert.That(plan.FormatFor(PaliGemmaWeightNames.EmbedTokens, 2), Is.EqualTo(WeightFormat.Int8));
        Assert.That(plan.FormatFor(PaliGemmaWeightNames.VisionLayer(0, "mlp.fc1.weight"), 2), Is.EqualTo(WeightFormat.BF16));
        Assert.That(plan.FormatFor(PaliGemmaWeightNames.ProjectorWeight, 2), Is.EqualTo(WeightFormat.BF16));
        Assert.That(plan.FormatFor(PaliGemmaWeightNames.PatchEmbeddingWeight, 4), Is.EqualTo(WeightFormat.BF16));
        var custom = plan with { Vision = WeightFormat.Int8 };
        Assert.That(custom.FormatFor(PaliGemmaWeightNames.VisionLayer(1, "self_attn.q_proj.weight"), 2), Is.EqualTo(WeightFormat.Int8));
        Assert.That(custom.FormatFor(PaliGemmaWeightNames.PositionEmbedding, 2), Is.EqualTo(WeightFormat.BF16));
    }

    [Test]
    public void PlansRoundTripThroughTheirMetadataSpelling()
    {
        foreach (var format in Enum.GetValues<WeightFormat>())
        {
            var plan = QuantizationPlan.ForWeights(format);
            Assert.That(QuantizationPlan.TryParse(plan.ToString()), Is.EqualTo(plan));
        }
        Assert.That(QuantizationPlan.TryParse("vision=bf16,decoder=int4"), Is.Null);
        Assert.That(QuantizationPlan.TryParse("vision=bf16,projector=bf16,decoder=int3,embedding=int8"), Is.Null);
        Assert.That(QuantizationPlan.TryParse("vision=bf16,vision=bf16,decoder=int4,embedding=int8"), Is.Null);
    }
}
