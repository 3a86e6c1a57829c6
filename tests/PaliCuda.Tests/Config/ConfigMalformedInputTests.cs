using System.Text.Json.Nodes;
using NUnit.Framework;
using PaliCuda.Config;

namespace PaliCuda.Tests.Config;

/// <summary>Edits of the tiny fixture's config.json, each checked for the default it takes or the error it raises.</summary>
public class ConfigMalformedInputTests
{
    private TempFolder _temp = null!;
    private JsonObject _config = null!;

    [SetUp]
    public void LoadFixtureConfig()
    {
        _temp = TestPaths.NewTempFolder();
        _config = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("tiny-pg2", "config.json")))!.AsObject();
    }

    [TearDown] public void DeleteFolder() => _temp.Dispose();

    private JsonObject Text => _config["text_config"]!.AsObject();
    private JsonObject Vision => _config["vision_config"]!.AsObject();

    private PaliGemmaConfig Read() => PaliGemmaConfigReader.Read(_temp.Write("config.json", _config.ToJsonString()));

    private void Fails(string field, string messagePart)
    {
        var path = _temp.Write("config.json", _config.ToJsonString());
        var error = Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(path))!;
        Assert.That(error.Field, Is.EqualTo(field));
        Assert.That(error.FilePath, Is.EqualTo(path));
        Assert.That(error.Message, Does.Contain($"field '{field}'").And.Contain(path).And.Contain(messagePart));
    }

    [Test]
    public void MissingTextConfigTakesGemma2DefaultsAndTheTopLevelVocab()
    {
        _config.Remove("text_config");
        _config.Remove("projection_dim");
        _config["_vocab_size"] = 257216;
        _config["image_token_index"] = 257152;
        var config = Read();
        Assert.That(config.Text, Is.EqualTo(new Gemma2TextConfig
        {
            HiddenSize = 2304, IntermediateSize = 9216, NumLayers = 26, NumHeads = 8, NumKeyValueHeads = 4, HeadDim = 256,
            VocabSize = _config["_vocab_size"]!.GetValue<int>(), QueryPreAttnScalar = 256, SlidingWindow = 4096,
        }));
        Assert.That(config.Text.AttnLogitSoftcapping, Is.EqualTo(50f));
        Assert.That(config.Text.FinalLogitSoftcapping, Is.EqualTo(30f));
        Assert.That(config.Text.MaxPositionEmbeddings, Is.EqualTo(8192));
    }

    [Test]
    public void TextConfigWithoutVocabTakesGemma2sDefaultLikeTransformers()
    {
        Text.Remove("vocab_size");
        _config["image_token_index"] = 1;
        Assert.That(Read().Text.VocabSize, Is.EqualTo(256000));
    }

    [Test]
    public void MissingVisionConfigTakesPaliGemmasBuiltInTower()
    {
        _config.Remove("vision_config");
        var vision = Read().Vision;
        Assert.That((vision.HiddenSize, vision.IntermediateSize, vision.NumLayers, vision.NumHeads, vision.PatchSize, vision.ImageSize),
            Is.EqualTo((1152, 4096, 27, 16, 14, 224)));
    }

    [Test]
    public void VisionConfigFieldsTakeSiglipDefaults()
    {
        foreach (var key in new[] { "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "image_size", "patch_size" })
            Vision.Remove(key);
        var vision = Read().Vision;
        Assert.That((vision.HiddenSize, vision.IntermediateSize, vision.NumLayers, vision.NumHeads, vision.PatchSize, vision.ImageSize),
            Is.EqualTo((768, 3072, 12, 12, 16, 224)));
        Assert.That(vision.LayerNormEps, Is.EqualTo(1e-6f));
    }

    [Test]
    public void NullSoftcapMeansNoCapping()
    {
        Text["attn_logit_softcapping"] = null;
        Text.Remove("final_logit_softcapping");
        var text = Read().Text;
        Assert.That(text.AttnLogitSoftcapping, Is.Null);
        Assert.That(text.FinalLogitSoftcapping, Is.EqualTo(30f));
    }

    [Test]
    public void IntegralFloatsAreAcceptedAsIntegers()
    {
        Text["num_hidden_layers"] = 3.0;
        Assert.That(Read().Text.NumLayers, Is.EqualTo(3));
    }

    [Test]
    public void WrongModelTypes()
    {
        _config["model_type"] = "llava";
        Fails("model_type", "\"paligemma\"");
        _config["model_type"] = "paligemma";
        Text["model_type"] = "gemma";
        Fails("text_config.model_type", "Gemma 1");
        Text["model_type"] = "llama";
        Fails("text_config.model_type", "\"gemma2\"");
        Text["model_type"] = "gemma2";
        Vision["model_type"] = "clip_vision_model";
        Fails("vision_config.model_type", "siglip_vision_model");
    }

    [Test]
    public void KeyValueHeadsMustDivideHeads()
    {
        Text["num_key_value_heads"] = 3;
        Fails("text_config.num_key_value_heads", "do not divide");
    }

    [Test]
    public void VisionHeadsMustDivideHidden()
    {
        Vision["num_attention_heads"] = 3;
        Fails("vision_config.num_attention_heads", "do not divide");
    }

    [Test]
    public void ImageSizeMustBeAMultipleOfThePatch()
    {
        Vision["image_size"] = 36;
        Fails("vision_config.patch_size", "not a multiple");
    }

    [Test]
    public void StringWhereANumberBelongs()
    {
        Text["hidden_size"] = "64";
        Fails("text_config.hidden_size", "expected an integer");
    }

    [Test]
    public void NonPositiveAndAbsurdSizes()
    {
        Text["intermediate_size"] = 0;
        Fails("text_config.intermediate_size", "at least 1");
        Text["intermediate_size"] = 128;
        Vision["num_hidden_layers"] = 2_000_000;
        Fails("vision_config.num_hidden_layers", "absurdly large");
        Vision["num_hidden_layers"] = 2;
        Text["rms_norm_eps"] = -1e-6;
        Fails("text_config.rms_norm_eps", "finite number");
    }

    [Test]
    public void ImageTokenMustBeInsideTheVocabulary()
    {
        _config["image_token_index"] = Text["vocab_size"]!.GetValue<int>();
        Fails("image_token_index", "outside the text vocabulary");
    }

    [Test]
    public void ProjectorWidthMustMatchTheTextWidth()
    {
        _config["projection_dim"] = 65;
        Fails("projection_dim", "must equal text_config.hidden_size");
    }

    [Test]
    public void UnsupportedActivation()
    {
        Text["hidden_activation"] = "relu";
        Fails("text_config.hidden_activation", "gelu_pytorch_tanh");
    }

    [Test]
    public void FilesThatAreNotJsonObjects()
    {
        var path = _temp.Write("config.json", "{ \"model_type\": ");
        Assert.That(Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(path))!.Message, Does.Contain("not valid JSON").And.Contain(path));
        path = _temp.Write("config.json", "[]");
        Assert.That(Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(path))!.Message, Does.Contain("JSON object"));
        var missing = _temp.File("absent.json");
        Assert.That(Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(missing))!.Message, Does.Contain("does not exist").And.Contain(missing));
        path = _temp.Write("config.json", new byte[] { 0x7B, 0x22, 0x6D, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D });
        Assert.That(Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(path))!.Message, Does.Contain("UTF-8"));
    }
}
