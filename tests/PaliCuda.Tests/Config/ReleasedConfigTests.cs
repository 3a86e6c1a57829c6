using NUnit.Framework;
using PaliCuda.Config;

namespace PaliCuda.Tests.Config;

/// <summary>
/// The config.json layout of the released PaliGemma 2 checkpoints (as Hugging Face publishes them, e.g.
/// google/paligemma2-3b-pt-224): a stale top-level hidden_size, no head_dim or image_size where the defaults apply,
/// fields we do not use (projector_hidden_act, num_positions). It must read as the named factory's model.
/// </summary>
public class ReleasedConfigTests
{
    private const string Pg2_3B_224 = """
    {
      "_vocab_size": 257152,
      "architectures": ["PaliGemmaForConditionalGeneration"],
      "bos_token_id": 2,
      "eos_token_id": 1,
      "hidden_size": 2048,
      "image_token_index": 257152,
      "model_type": "paligemma",
      "pad_token_id": 0,
      "projection_dim": 2304,
      "text_config": {
        "hidden_activation": "gelu_pytorch_tanh",
        "hidden_size": 2304,
        "intermediate_size": 9216,
        "model_type": "gemma2",
        "num_attention_heads": 8,
        "num_hidden_layers": 26,
        "num_image_tokens": 256,
        "num_key_value_heads": 4,
        "query_pre_attn_scalar": 256,
        "sliding_window": 4096,
        "torch_dtype": "bfloat16",
        "vocab_size": 257216
      },
      "torch_dtype": "bfloat16",
      "transformers_version": "4.47.0.dev0",
      "vision_config": {
        "hidden_size": 1152,
        "intermediate_size": 4304,
        "model_type": "siglip_vision_model",
        "num_attention_heads": 16,
        "num_hidden_layers": 27,
        "num_image_tokens": 256,
        "num_positions": 256,
        "patch_size": 14,
        "projection_dim": 2304,
        "projector_hidden_act": "gelu_fast",
        "torch_dtype": "bfloat16",
        "vision_use_head": false
      }
    }
    """;

    [Test]
    public void TheReleased3B224ConfigReadsAsTheFactoryModel()
    {
        var config = PaliGemmaConfigReader.Parse(Pg2_3B_224, "paligemma2-3b-pt-224/config.json");
        var expected = PaliGemmaModels.Pg2_3B_224;
        Assert.That(config.Text, Is.EqualTo(expected.Text));
        Assert.That(config.Vision, Is.EqualTo(expected.Vision));
        Assert.That(config.ImageTokenIndex, Is.EqualTo(257152));
        Assert.That(config.NumImageTokens, Is.EqualTo(256));
        Assert.That(config.Text.HeadDim, Is.EqualTo(256));
    }

    [Test]
    public void The896PixelVariantChangesOnlyTheImageSize()
    {
        var json = Pg2_3B_224.Replace("\"patch_size\": 14,", "\"patch_size\": 14, \"image_size\": 896,", StringComparison.Ordinal)
            .Replace("\"num_image_tokens\": 256", "\"num_image_tokens\": 4096", StringComparison.Ordinal);
        var config = PaliGemmaConfigReader.Parse(json, "paligemma2-3b-pt-896/config.json");
        Assert.That(config.Vision.ImageSize, Is.EqualTo(896));
        Assert.That(config.NumImageTokens, Is.EqualTo(4096));
        Assert.That(config.Vision, Is.EqualTo(PaliGemmaModels.Pg2_3B_896.Vision));
    }
}
