using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Config;

namespace PaliCuda.Tests.Config;

public class GenerationConfigReaderTests
{
    [Test]
    public void FixtureGenerationConfigReads()
    {
        var path = TestPaths.Fixture("tiny-pg2", "generation_config.json");
        var config = GenerationConfigReader.Read(path);
        using var raw = JsonDocument.Parse(File.ReadAllText(path));
        Assert.That(config.EosTokenIds, Is.EqualTo(new[] { raw.RootElement.GetProperty("eos_token_id").GetInt32() }));
        Assert.That(config.BosTokenId, Is.EqualTo(raw.RootElement.GetProperty("bos_token_id").GetInt32()));
        Assert.That(config.PadTokenId, Is.EqualTo(raw.RootElement.GetProperty("pad_token_id").GetInt32()));
        Assert.That(config.CacheImplementation, Is.EqualTo(raw.RootElement.GetProperty("cache_implementation").GetString()));
        Assert.That(config.MaxNewTokens, Is.Null);
        Assert.That(config.DoSample, Is.Null);
    }

    [Test]
    public void EosListAndSamplingFields()
    {
        var config = GenerationConfigReader.Parse(
            """{"eos_token_id": [1, 107], "max_length": 64, "max_new_tokens": 20, "do_sample": true, "temperature": 0.7, "top_k": 40, "top_p": 0.9, "repetition_penalty": 1.1}""",
            "gen.json");
        Assert.That(config.EosTokenIds, Is.EqualTo(new[] { 1, 107 }));
        Assert.That((config.MaxLength, config.MaxNewTokens, config.DoSample, config.TopK), Is.EqualTo(((int?)64, (int?)20, (bool?)true, (int?)40)));
        Assert.That(config.Temperature, Is.EqualTo(0.7f));
        Assert.That(config.TopP, Is.EqualTo(0.9f));
        Assert.That(config.RepetitionPenalty, Is.EqualTo(1.1f));
    }

    [TestCase("""{"eos_token_id": "1"}""", "eos_token_id")]
    [TestCase("""{"eos_token_id": [1, "x"]}""", "eos_token_id[1]")]
    [TestCase("""{"top_p": 1.5}""", "top_p")]
    [TestCase("""{"do_sample": "yes"}""", "do_sample")]
    [TestCase("""{"max_new_tokens": -1}""", "max_new_tokens")]
    public void BadFieldsAreNamed(string json, string field)
    {
        var error = Assert.Throws<ConfigFormatException>(() => GenerationConfigReader.Parse(json, "gen.json"))!;
        Assert.That(error.Field, Is.EqualTo(field));
        Assert.That(error.Message, Does.Contain("gen.json").And.Contain(field));
    }
}
