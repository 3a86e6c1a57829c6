using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Config;

namespace PaliCuda.Tests.Config;

public class PaliGemmaConfigReaderTests
{
    [Test]
    public void TinyFixtureConfigMatchesTheReferenceSummary()
    {
        var config = PaliGemmaConfigReader.Read(TestPaths.Fixture("tiny-pg2", "config.json"));
        using var reference = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tiny-pg2", "reference.json")));
        var summary = reference.RootElement.GetProperty("config_summary");
        var vision = summary.GetProperty("vision");
        var text = summary.GetProperty("text");

        Assert.That(config.Vision.ImageSize, Is.EqualTo(vision.GetProperty("image_size").GetInt32()));
        Assert.That(config.Vision.PatchSize, Is.EqualTo(vision.GetProperty("patch_size").GetInt32()));
        Assert.That(config.Vision.HiddenSize, Is.EqualTo(vision.GetProperty("hidden_size").GetInt32()));
        Assert.That(config.Vision.IntermediateSize, Is.EqualTo(vision.GetProperty("intermediate_size").GetInt32()));
        Assert.That(config.Vision.NumHeads, Is.EqualTo(vision.GetProperty("num_attention_heads").GetInt32()));
        Assert.That(config.Vision.NumLayers, Is.EqualTo(vision.GetProperty("num_hidden_layers").GetInt32()));
        Assert.That(config.Vision.LayerNormEps, Is.EqualTo(vision.GetProperty("layer_norm_eps").GetSingle()));
        Assert.That(config.Vision.HiddenAct, Is.EqualTo(vision.GetProperty("hidden_act").GetString()));

        foreach (var field in text.EnumerateObject())
        {
            object? actual = field.Name switch
            {
                "hidden_size" => config.Text.HiddenSize,
                "intermediate_size" => config.Text.IntermediateSize,
                "num_hidden_layers" => config.Text.NumLayers,
                "num_attention_heads" => config.Text.NumHeads,
                "num_key_value_heads" => config.Text.NumKeyValueHeads,
                "head_dim" => config.Text.HeadDim,
                "vocab_size" => config.Text.VocabSize,
                "sliding_window" => config.Text.SlidingWindow,
                "max_position_embeddings" => config.Text.MaxPositionEmbeddings,
                "query_pre_attn_scalar" => (double)config.Text.QueryPreAttnScalar,
                "rms_norm_eps" => (double)config.Text.RmsNormEps,
                "rope_theta" => (double)config.Text.RopeTheta,
                "attn_logit_softcapping" => (double?)config.Text.AttnLogitSoftcapping,
                "final_logit_softcapping" => (double?)config.Text.FinalLogitSoftcapping,
                "hidden_activation" => config.Text.HiddenActivation,
                _ => null,
            };
            if (actual is null) continue;
            object expected = field.Value.ValueKind switch
            {
                JsonValueKind.String => field.Value.GetString()!,
                _ when actual is int => field.Value.GetInt32(),
                _ => (double)field.Value.GetSingle(),
            };
            Assert.That(actual, Is.EqualTo(expected), field.Name);
        }

        var ids = reference.RootElement.GetProperty("special_token_ids");
        Assert.That(config.ImageTokenIndex, Is.EqualTo(ids.GetProperty("image").GetInt32()));
        Assert.That(config.EosTokenId, Is.EqualTo(ids.GetProperty("eos").GetInt32()));
        Assert.That(config.BosTokenId, Is.EqualTo(ids.GetProperty("bos").GetInt32()));
        Assert.That(config.PadTokenId, Is.EqualTo(ids.GetProperty("pad").GetInt32()));
    }

    [Test]
    public void DemoModelConfigReads()
    {
        var config = PaliGemmaConfigReader.Read(TestPaths.DemoModel("config.json"));
        using var raw = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("config.json")));
        var text = raw.RootElement.GetProperty("text_config");
        Assert.That(config.Text.MaxPositionEmbeddings, Is.EqualTo(text.GetProperty("max_position_embeddings").GetInt32()));
        Assert.That(config.NumImageTokens, Is.EqualTo(text.GetProperty("num_image_tokens").GetInt32()));
    }
}
