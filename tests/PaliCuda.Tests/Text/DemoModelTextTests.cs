using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Text;

namespace PaliCuda.Tests.Text;

/// <summary>Checks prompts, decoding and special ids against what HF's PaliGemmaProcessor did for the demo checkpoint.</summary>
public class DemoModelTextTests
{
    private static readonly Lazy<JsonElement> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("expected.json"))).RootElement);

    private static readonly Lazy<PaliGemmaTokenizer> Tokenizer = new(() =>
        PaliGemmaTokenizer.FromSentencePieceFile(TestPaths.DemoModel("tokenizer.model")));

    private static int ImageSeqLength()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("preprocessor_config.json")));
        return doc.RootElement.GetProperty("image_seq_length").GetInt32();
    }

    public static IEnumerable<TestCaseData> Cases()
    {
        var samples = Expected.Value.GetProperty("samples");
        for (int s = 0; s < samples.GetArrayLength(); s++)
        {
            var cases = samples[s].GetProperty("cases");
            for (int c = 0; c < cases.GetArrayLength(); c++)
                yield return new TestCaseData(s, c).SetName($"Demo_s{s}_c{c}_{cases[c].GetProperty("prompt").GetString()!.Replace(' ', '_')}");
        }
    }

    private static JsonElement Case(int sample, int index) => Expected.Value.GetProperty("samples")[sample].GetProperty("cases")[index];

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [TestCaseSource(nameof(Cases))]
    public void PromptIdsMatchProcessor(int sample, int index)
    {
        var c = Case(sample, index);
        var prompt = new PaliGemmaPrompt(Tokenizer.Value, ImageSeqLength());
        Assert.That(prompt.BuildInputIds(c.GetProperty("prompt").GetString()!), Is.EqualTo(Ints(c.GetProperty("input_ids"))));
    }

    [TestCaseSource(nameof(Cases))]
    public void GeneratedIdsDecodeLikeProcessor(int sample, int index)
    {
        var c = Case(sample, index);
        int[] generated = Ints(c.GetProperty("generated_ids"));
        Assert.Multiple(() =>
        {
            Assert.That(Tokenizer.Value.Decode(generated, skipSpecialTokens: false), Is.EqualTo(c.GetProperty("decoded").GetString()));
            Assert.That(Tokenizer.Value.Decode(generated, skipSpecialTokens: true), Is.EqualTo(c.GetProperty("decoded_skip_special").GetString()));
        });
    }

    [TestCaseSource(nameof(Cases))]
    public void GroundTruthAnswerRoundTrips(int sample, int index)
    {
        // The ground-truth answers contain <loc> tokens and " ; " separators: encode + decode must give them back.
        string text = Case(sample, index).GetProperty("ground_truth_text").GetString()!;
        int[] ids = Tokenizer.Value.Encode(text);
        Assert.That(Tokenizer.Value.Decode(ids, skipSpecialTokens: true), Is.EqualTo(text));
    }

    [Test]
    public void LocationTokensAreSinglePiecesKeptBySkipSpecial()
    {
        var tok = Tokenizer.Value;
        var special = Expected.Value.GetProperty("special_token_ids");
        int loc0 = special.GetProperty("loc0000").GetInt32();
        for (int bin = 0; bin < LocationTokens.LocationBins; bin++)
        {
            string token = LocationTokens.FormatLocation(bin);
            Assert.That(tok.Encode(token), Is.EqualTo(new[] { loc0 + bin }), token);
        }

        int seg0 = special.GetProperty("seg000").GetInt32();
        for (int code = 0; code < LocationTokens.SegmentationCodes; code++)
            Assert.That(tok.Encode(LocationTokens.FormatSegmentation(code)), Is.EqualTo(new[] { seg0 + code }));

        int[] answer = [loc0 + 1, loc0 + 1023, tok.EosId];
        Assert.That(tok.Decode(answer, skipSpecialTokens: true), Is.EqualTo("<loc0001><loc1023>"));
    }

    [Test]
    public void SpecialIdsMatchExpected()
    {
        var special = Expected.Value.GetProperty("special_token_ids");
        var tok = Tokenizer.Value;
        Assert.Multiple(() =>
        {
            Assert.That(tok.PadId, Is.EqualTo(special.GetProperty("pad").GetInt32()));
            Assert.That(tok.EosId, Is.EqualTo(special.GetProperty("eos").GetInt32()));
            Assert.That(tok.BosId, Is.EqualTo(special.GetProperty("bos").GetInt32()));
            Assert.That(tok.UnkId, Is.EqualTo(special.GetProperty("unk").GetInt32()));
            Assert.That(tok.ImageTokenId, Is.EqualTo(special.GetProperty("image").GetInt32()));
            Assert.That(tok.VocabSize, Is.EqualTo(special.GetProperty("vocab_size").GetInt32()));
            Assert.That(tok.PieceToId("\n"), Is.EqualTo(special.GetProperty("newline").GetInt32()));
            Assert.That(tok.PieceToId("<loc1023>"), Is.EqualTo(special.GetProperty("loc1023").GetInt32()));
            Assert.That(tok.PieceToId("<seg127>"), Is.EqualTo(special.GetProperty("seg127").GetInt32()));
        });
    }

    [Test]
    public void PromptOverTheLimitThrowsWithCounts()
    {
        var prompt = new PaliGemmaPrompt(Tokenizer.Value, ImageSeqLength());
        int needed = prompt.BuildInputIds("caption en").Length;
        Assert.That(prompt.BuildInputIds("caption en", maxTokens: needed), Has.Length.EqualTo(needed));
        var e = Assert.Throws<PromptTooLongException>(() => prompt.BuildInputIds("caption en", maxTokens: needed - 1));
        Assert.Multiple(() =>
        {
            Assert.That(e!.TokenCount, Is.EqualTo(needed));
            Assert.That(e.MaxTokens, Is.EqualTo(needed - 1));
            Assert.That(e.ImageTokenCount, Is.EqualTo(ImageSeqLength()));
            Assert.That(e.Message, Does.Contain($"{needed}").And.Contain($"{needed - 1}"));
        });
    }

    [Test]
    public void PromptRejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PaliGemmaPrompt(Tokenizer.Value, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PaliGemmaPrompt(Tokenizer.Value, 4, imageTokenId: Tokenizer.Value.VocabSize));
        var prompt = new PaliGemmaPrompt(Tokenizer.Value, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => prompt.BuildInputIds("x", maxTokens: 0));
    }
}
