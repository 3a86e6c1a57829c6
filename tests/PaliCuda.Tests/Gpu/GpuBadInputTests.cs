using NUnit.Framework;
using PaliCuda.Backends;
using PaliCuda.Backends.Cpu;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Out-of-range ids and cache positions are host inputs: on the GPU backend they are rejected before upload with the
/// ModelInputException the CPU ops throw, instead of reaching a kernel that would write NaN rows or skip the cache write.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public class GpuBadInputTests(bool gpu)
{
    private IBackend CreateBackend() => gpu ? GpuTargets.CreateBackend(GpuTarget.Emulated) : new CpuBackend();

    [Test]
    public void DecodeRejectsAnIdOutsideTheVocabularyAndAPositionOutsideTheCache()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var model = new PaliGemmaModel(checkpoint.Config);
        using var backend = CreateBackend();
        using var weights = new WeightSet(backend);
        var decode = model.RecordDecode(8);
        weights.Load(checkpoint.Weights, decode);
        using var state = new StateSet(backend);
        using var step = new Executor(decode, weights, state, [PaliGemmaModel.NextToken]);
        var vocab = checkpoint.Config.Text.VocabSize;

        foreach (var bad in new[] { vocab, -1 })
        {
            var e = Assert.Throws<ModelInputException>(() => step.SetInput(PaliGemmaModel.InputIds, [bad]))!;
            Assert.That(e.Message, Is.EqualTo($"token id {bad} at position 0 of 'input_ids' is outside the vocabulary of '{Gemma2Decoder.EmbedTokens}' (size {vocab})"));
        }
        foreach (var bad in new[] { 8, -3 })
        {
            var e = Assert.Throws<ModelInputException>(() => step.SetInput(PaliGemmaModel.CachePosition, [bad]))!;
            Assert.That(e.Message, Does.StartWith($"cache position {bad} of token 0 is outside the KV cache 'kv.0.k' (capacity 8)"));
        }

        // The limits themselves are accepted and the step runs to a valid id.
        step.SetInput(PaliGemmaModel.InputIds, [vocab - 1]);
        step.SetInput(PaliGemmaModel.CachePosition, [7]);
        step.SetInput(PaliGemmaModel.PrefixLength, [1]);
        step.Run();
        Assert.That(step.ReadInt(PaliGemmaModel.NextToken)[0], Is.InRange(0, model.EmittableVocab - 1));
    }

    [Test]
    public void PrefillRejectsAPromptWhoseImageTokenCountDiffersFromTheFeatureRows()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var config = checkpoint.Config;
        var model = new PaliGemmaModel(config);
        using var backend = CreateBackend();
        using var weights = new WeightSet(backend);
        var length = config.NumImageTokens + 3;
        var prefill = model.RecordPrefill(length, length, allLogits: false);
        weights.Load(checkpoint.Weights, prefill);
        using var state = new StateSet(backend);
        using var exec = new Executor(prefill, weights, state, [PaliGemmaModel.NextToken]);
        var ids = Enumerable.Repeat(config.ImageTokenIndex, config.NumImageTokens - 1).Concat([2, 5, 6, 7]).ToArray();
        var e = Assert.Throws<ModelInputException>(() => exec.SetInput(PaliGemmaModel.InputIds, ids))!;
        Assert.That(e.Message, Does.Contain($"holds {config.NumImageTokens - 1} image tokens"));
    }

    [Test]
    public void PrefillRejectsAPromptLengthOutsideItsPaddedPrompt()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var config = checkpoint.Config;
        var model = new PaliGemmaModel(config);
        using var backend = CreateBackend();
        using var weights = new WeightSet(backend);
        var capacity = config.NumImageTokens + 8;
        var prefill = model.RecordPrefill(capacity, capacity, allLogits: false);
        weights.Load(checkpoint.Weights, prefill);
        using var state = new StateSet(backend);
        using var exec = new Executor(prefill, weights, state, [PaliGemmaModel.NextToken]);
        foreach (var bad in new[] { 0, capacity + 1, -2 })
        {
            var e = Assert.Throws<ModelInputException>(() => exec.SetInput(PaliGemmaModel.PromptLength, [bad]))!;
            Assert.That(e.Message, Is.EqualTo($"'{PaliGemmaModel.PromptLength}' = {bad} does not select a row of 'hidden_states.{config.Text.NumLayers}' (1..{capacity})"));
        }
        Assert.DoesNotThrow(() => exec.SetInput(PaliGemmaModel.PromptLength, [capacity]), "the whole padded prompt is a valid length");
        Assert.DoesNotThrow(() => exec.SetInput(PaliGemmaModel.PromptLength, [1]));
    }
}
