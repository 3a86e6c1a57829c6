using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Model;

namespace PaliCuda.Tests.Model;

public class MaskConstructionTests
{
    [TestCase(0, "prefill_visible_sliding")]
    [TestCase(1, "prefill_visible_global")]
    [TestCase(2, "prefill_visible_sliding")]
    public void PrefillVisibilityMatchesTheReferenceMask(int layer, string tensor)
    {
        var config = PaliGemmaConfigReader.Read(TestPaths.Fixture("tiny-pg2", "config.json"));
        var model = new PaliGemmaModel(config, SlidingWindowSemantics.WindowAlways);
        using var refs = SafetensorsFile.Open(TestPaths.Fixture("tiny-pg2", "reference.safetensors"));
        var expected = refs.GetBytes(tensor).ToArray();
        var v = model.Decoder.MaskFor(layer).PrefillVisibility(22);
        var actual = new byte[v.Length];
        var k = 0;
        foreach (var b in v) actual[k++] = b ? (byte)1 : (byte)0;
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void Bf16NormalizerIsRoundedLikeTheModelDtype()
    {
        var config = PaliGemmaConfigReader.Read(TestPaths.Fixture("tiny-pg2", "config.json"));
        var text = config.Text with { HiddenSize = 3584 };
        var bf16 = new Gemma2Decoder(text, SlidingWindowSemantics.WindowAlways, NormalizerDType.BF16).Normalizer;
        // A bf16 value has its low 16 float bits clear; rounding to nearest moves √3584 by at most half a bf16 step
        // (step 2^(5−7) = 0.25 in [32, 64)), and the F32 result is not such a value.
        Assert.That(BitConverter.SingleToUInt32Bits(bf16) & 0xFFFF, Is.Zero);
        Assert.That(Math.Abs(bf16 - Math.Sqrt(3584)), Is.LessThanOrEqualTo(0.125));
        Assert.That(new Gemma2Decoder(text, SlidingWindowSemantics.WindowAlways, NormalizerDType.F32).Normalizer, Is.EqualTo((float)Math.Sqrt(3584)));
    }
}
