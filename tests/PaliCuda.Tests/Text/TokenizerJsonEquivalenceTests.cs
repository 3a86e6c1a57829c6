using System.Text;
using System.Text.Json;
using CsCheck;
using NUnit.Framework;
using PaliCuda.Text;

namespace PaliCuda.Tests.Text;

/// <summary>
/// A tokenizer.json made from a tokenizer.model the way Hugging Face converts it must load into a tokenizer that
/// encodes and decodes exactly like the tokenizer.model itself: on the fixture's sentencepiece cases, on the demo
/// checkpoint's prompts and answers, and on random text.
/// </summary>
public class TokenizerJsonEquivalenceTests
{
    private static readonly Lazy<PaliGemmaTokenizer> FixtureModel = new(() =>
        PaliGemmaTokenizer.FromSentencePieceFile(TestPaths.Fixture("tokenizer", "tokenizer.model")));

    private static readonly Lazy<PaliGemmaTokenizer> FixtureJson = new(() => FromConvertedJson(TestPaths.Fixture("tokenizer", "tokenizer.model")));

    private static readonly Lazy<PaliGemmaTokenizer> DemoModel = new(() =>
        PaliGemmaTokenizer.FromSentencePieceFile(TestPaths.DemoModel("tokenizer.model")));

    private static readonly Lazy<PaliGemmaTokenizer> DemoJson = new(() => FromConvertedJson(TestPaths.DemoModel("tokenizer.model")));

    private static readonly Lazy<JsonElement> FixtureCases = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tokenizer", "tokenizer_tests.json"))).RootElement.GetProperty("cases"));

    private static readonly Lazy<JsonElement> DemoExpected = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("expected.json"))).RootElement);

    private static PaliGemmaTokenizer FromConvertedJson(string modelPath,
        GemmaTokenizerJsonConverter.MergeFormat format = GemmaTokenizerJsonConverter.MergeFormat.Pairs, bool splitPreTokenizer = true) =>
        PaliGemmaTokenizer.FromTokenizerJson(
            GemmaTokenizerJsonConverter.Convert(File.ReadAllBytes(modelPath), format, splitPreTokenizer), "converted tokenizer.json");

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static IEnumerable<TestCaseData> FixtureCaseIndices()
    {
        int count = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "tokenizer", "tokenizer_tests.json")))
            .RootElement.GetProperty("cases").GetArrayLength();
        for (int i = 0; i < count; i++)
            yield return new TestCaseData(i).SetName($"JsonTokenizerCase{i:D2}");
    }

    [TestCaseSource(nameof(FixtureCaseIndices))]
    public void FixtureCaseEncodesAndDecodesLikeSentencePiece(int index)
    {
        var c = FixtureCases.Value[index];
        string text = c.GetProperty("text").GetString()!;
        int[] expectedIds = Ints(c.GetProperty("ids"));
        Assert.Multiple(() =>
        {
            Assert.That(FixtureJson.Value.Encode(text), Is.EqualTo(expectedIds), "ids vs sentencepiece");
            Assert.That(FixtureJson.Value.Decode(expectedIds, skipSpecialTokens: false), Is.EqualTo(c.GetProperty("decoded").GetString()), "decoding");
            Assert.That(FixtureJson.Value.EncodeToPieces(text), Is.EqualTo(FixtureModel.Value.EncodeToPieces(text)), "pieces vs tokenizer.model");
        });
    }

    [Test]
    public void EveryMergeFormatAndPreTokenizerGivesTheSameTokenizer()
    {
        string path = TestPaths.Fixture("tokenizer", "tokenizer.model");
        var variants = new[]
        {
            FromConvertedJson(path, GemmaTokenizerJsonConverter.MergeFormat.SpaceSeparated, splitPreTokenizer: true),
            FromConvertedJson(path, GemmaTokenizerJsonConverter.MergeFormat.Pairs, splitPreTokenizer: false),
        };
        foreach (var c in FixtureCases.Value.EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            foreach (var variant in variants)
                Assert.That(variant.Encode(text), Is.EqualTo(Ints(c.GetProperty("ids"))), text);
        }
    }

    [Test]
    public void VocabularyTypesAndSpecialIdsMatchTheModel()
    {
        foreach (var (model, json) in new[] { (FixtureModel.Value, FixtureJson.Value), (DemoModel.Value, DemoJson.Value) })
        {
            Assert.That(json.VocabSize, Is.EqualTo(model.VocabSize));
            for (int id = 0; id < model.VocabSize; id++)
            {
                if (json.IdToPiece(id) != model.IdToPiece(id) || json.GetPieceType(id) != model.GetPieceType(id))
                    Assert.Fail($"id {id}: json gives '{json.IdToPiece(id)}' ({json.GetPieceType(id)}), model '{model.IdToPiece(id)}' ({model.GetPieceType(id)})");
            }

            Assert.Multiple(() =>
            {
                Assert.That(json.BosId, Is.EqualTo(model.BosId));
                Assert.That(json.EosId, Is.EqualTo(model.EosId));
                Assert.That(json.UnkId, Is.EqualTo(model.UnkId));
                Assert.That(json.PadId, Is.EqualTo(model.PadId));
                Assert.That(json.ImageTokenId, Is.EqualTo(model.ImageTokenId));
            });
        }
    }

    public static IEnumerable<TestCaseData> DemoCases()
    {
        var root = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("expected.json"))).RootElement;
        var samples = root.GetProperty("samples");
        for (int s = 0; s < samples.GetArrayLength(); s++)
        {
            for (int c = 0; c < samples[s].GetProperty("cases").GetArrayLength(); c++)
                yield return new TestCaseData(s, c).SetName($"JsonDemo_s{s}_c{c}");
        }
    }

    [TestCaseSource(nameof(DemoCases))]
    public void DemoPromptAndAnswerMatchProcessorAndModel(int sample, int index)
    {
        var c = DemoExpected.Value.GetProperty("samples")[sample].GetProperty("cases")[index];
        int imageSeqLength;
        using (var pre = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("preprocessor_config.json"))))
            imageSeqLength = pre.RootElement.GetProperty("image_seq_length").GetInt32();
        string prompt = c.GetProperty("prompt").GetString()!;
        string answer = c.GetProperty("ground_truth_text").GetString()!;
        int[] generated = Ints(c.GetProperty("generated_ids"));
        var json = DemoJson.Value;
        Assert.Multiple(() =>
        {
            Assert.That(new PaliGemmaPrompt(json, imageSeqLength).BuildInputIds(prompt), Is.EqualTo(Ints(c.GetProperty("input_ids"))), "prompt ids vs processor");
            Assert.That(json.Encode(answer), Is.EqualTo(DemoModel.Value.Encode(answer)), "answer ids vs tokenizer.model");
            Assert.That(json.Decode(generated, skipSpecialTokens: false), Is.EqualTo(c.GetProperty("decoded").GetString()), "decoded");
            Assert.That(json.Decode(generated, skipSpecialTokens: true), Is.EqualTo(c.GetProperty("decoded_skip_special").GetString()), "decoded, skip special");
        });
    }

    /// <summary>Pieces of text that exercise the tokenizer's corners when glued together at random.</summary>
    private static readonly string[] Fragments =
    [
        "hello", "world", "detect", "cat", "caption en", " ", "  ", "   ", "\n", "\n\n", "\t", "\t\t", "<loc0003>", "<loc0015>",
        "<seg005>", "<image>", "<bos>", "<unk>", "<pad>", "<loc9999>", "<0x41>", "\u2581", "é", "ß", "日本語", "😀", "\u0000", "ÿ",
        ";", " ; ", "0123", "42", "Ω", "\u200b", "a", "the", "ing",
    ];

    private static readonly Gen<string> RandomText =
        Gen.Int[0, Fragments.Length + 1].Array[0, 12].SelectMany(choices =>
            Gen.Int[0x20, 0x2FFF].Array[choices.Length].Select(codePoints =>
            {
                var text = new StringBuilder();
                for (int i = 0; i < choices.Length; i++)
                {
                    if (choices[i] < Fragments.Length)
                        text.Append(Fragments[choices[i]]);
                    else if (choices[i] == Fragments.Length)
                        text.Append(char.ConvertFromUtf32(codePoints[i]));
                    else
                        text.Append(char.ConvertFromUtf32(0x10000 + codePoints[i] * 37));
                }

                return text.ToString();
            }));

    [Test]
    public void RandomTextEncodesAndDecodesLikeTheModel()
    {
        var model = FixtureModel.Value;
        var json = FixtureJson.Value;
        RandomText.Sample(text =>
        {
            int[] expected = model.Encode(text);
            int[] actual = json.Encode(text);
            if (!actual.SequenceEqual(expected))
                throw new AssertionException($"'{text}': json [{string.Join(",", actual)}] vs model [{string.Join(",", expected)}]");
            if (json.Decode(actual, skipSpecialTokens: false) != model.Decode(expected, skipSpecialTokens: false))
                throw new AssertionException($"'{text}': decodings differ");
        }, iter: 3000);
    }

    [Test]
    public void RandomTextOnDemoVocabularyEncodesLikeTheModel()
    {
        var model = DemoModel.Value;
        var json = DemoJson.Value;
        RandomText.Sample(text => json.Encode(text).SequenceEqual(model.Encode(text)), iter: 1000);
    }

    [Test]
    public void PrependNormalizerActsAsDummyPrefix()
    {
        // Sequence[Prepend("▁"), Replace(" " → "▁")] is SentencePiece's add_dummy_prefix: "x" encodes as " x" does without it.
        var converted = System.Text.Json.Nodes.JsonNode.Parse(GemmaTokenizerJsonConverter.Convert(File.ReadAllBytes(TestPaths.Fixture("tokenizer", "tokenizer.model"))))!;
        var replace = converted["normalizer"]!.DeepClone();
        converted["normalizer"] = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "Sequence",
            ["normalizers"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["type"] = "Prepend", ["prepend"] = "\u2581" }, replace),
        };
        var prefixed = PaliGemmaTokenizer.FromTokenizerJson(Encoding.UTF8.GetBytes(converted.ToJsonString()), "prefixed.json");
        foreach (string text in new[] { "hello world", "the cat", "detect dog" })
        {
            int[] ids = prefixed.Encode(text);
            Assert.That(ids, Is.EqualTo(FixtureModel.Value.Encode(" " + text)), text);
            Assert.That(prefixed.Decode(ids, skipSpecialTokens: true), Is.EqualTo(text), "decode removes the dummy prefix");
        }
    }
}
