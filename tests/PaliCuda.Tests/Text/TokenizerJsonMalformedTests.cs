using System.Text;
using CsCheck;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PaliCuda.Pipeline;
using PaliCuda.Text;

namespace PaliCuda.Tests.Text;

/// <summary>
/// Broken or unsupported tokenizer.json files are refused with a <see cref="TokenizerFormatException"/> that names the
/// file and the JSON field; the pipeline picks tokenizer.model, else tokenizer.json, else says neither is there.
/// </summary>
public class TokenizerJsonMalformedTests
{
    private const string Source = "checkpoint/tokenizer.json";

    private static JsonNode Valid() =>
        JsonNode.Parse(GemmaTokenizerJsonConverter.Convert(File.ReadAllBytes(TestPaths.Fixture("tokenizer", "tokenizer.model"))))!;

    private static TokenizerFormatException Refused(string json, TokenizerLimits? limits = null)
    {
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromTokenizerJson(Encoding.UTF8.GetBytes(json), Source, limits));
        Assert.That(e!.Message, Does.Contain(Source));
        return e;
    }

    private static TokenizerFormatException Refused(Action<JsonNode> mutate)
    {
        var json = Valid();
        mutate(json);
        return Refused(json.ToJsonString());
    }

    [Test]
    public void UnmodifiedConversionLoads() =>
        Assert.That(PaliGemmaTokenizer.FromTokenizerJson(Encoding.UTF8.GetBytes(Valid().ToJsonString()), Source).VocabSize, Is.EqualTo(480));

    [TestCase("{\"model\": ", "not valid JSON")]
    [TestCase("\u00ff\u00fe", "not valid JSON")]
    [TestCase("[1, 2]", "(root)")]
    [TestCase("{\"model\": {\"type\": \"B\\ud800PE\"}}", "not valid text")]
    [TestCase("{\"version\": \"1.0\"}", "'model'")]
    [TestCase("{\"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"vocab\": {\"<unk>\": 0, \"a\": 1, \"a\": 2}, \"merges\": []}, \"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\u2581\"}}", "listed twice")]
    public void MalformedDocumentIsRefused(string json, string expected) =>
        Assert.That(Refused(json).Message, Does.Contain(expected));

    private static readonly (string Name, Action<JsonNode> Mutate, string Field)[] Mutations =
    [
        ("unigram model", j => j["model"]!["type"] = "Unigram", "model.type"),
        ("wordpiece model", j => j["model"]!["type"] = "WordPiece", "model.type"),
        ("no vocab", j => j["model"]!.AsObject().Remove("vocab"), "model.vocab"),
        ("no merges", j => j["model"]!.AsObject().Remove("merges"), "model.merges"),
        ("merge of unknown piece", j => j["model"]!["merges"]!.AsArray().Insert(0, new JsonArray("▁t", "zzz-not-a-piece")), "model.merges[0]"),
        ("merge result unknown", j => j["model"]!["merges"]!.AsArray().Add(new JsonArray("<pad>", "<eos>")), "model.merges["),
        ("merge string without space", j => j["model"]!["merges"]!.AsArray().Add("nospace"), "model.merges["),
        ("merge of three", j => j["model"]!["merges"]!.AsArray().Add(new JsonArray("a", "b", "c")), "model.merges["),
        ("duplicate id", j => j["model"]!["vocab"]!["▁t"] = 5, "model.vocab"),
        ("negative id", j => j["model"]!["vocab"]!["▁t"] = -1, "model.vocab['▁t']"),
        ("string id", j => j["model"]!["vocab"]!["▁t"] = "286", "model.vocab['▁t']"),
        ("gap in ids", j => j["model"]!["vocab"]!["▁t"] = 100_000, "model.vocab"),
        ("ignore merges", j => j["model"]!["ignore_merges"] = true, "model.ignore_merges"),
        ("dropout", j => j["model"]!["dropout"] = 0.1, "model.dropout"),
        ("subword prefix", j => j["model"]!["continuing_subword_prefix"] = "##", "model.continuing_subword_prefix"),
        ("no unk token", j => j["model"]!["unk_token"] = null, "model.unk_token"),
        ("unk token not in vocab", j => j["model"]!["unk_token"] = "<nope>", "model.unk_token"),
        ("byte fallback not a bool", j => j["model"]!["byte_fallback"] = "yes", "model.byte_fallback"),
        ("added token with other content", j => j["added_tokens"]![0]!["content"] = "<different>", "added_tokens[0]"),
        ("added token lstrip", j => j["added_tokens"]![1]!["lstrip"] = true, "added_tokens[1].lstrip"),
        ("added token without id", j => j["added_tokens"]![2]!.AsObject().Remove("id"), "added_tokens[2].id"),
        ("added tokens not array", j => j["added_tokens"] = "x", "added_tokens"),
        ("added id shadows vocab piece", j => j["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 480, ["content"] = "▁t", ["special"] = false }), "two ids"),
        ("no normalizer", j => j["normalizer"] = null, "normalizer"),
        ("nfkc normalizer", j => j["normalizer"] = new JsonObject { ["type"] = "NFKC" }, "normalizer"),
        ("metaspace pre-tokenizer", j => j["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false }, "pre_tokenizer"),
        ("byte-level decoder", j => j["decoder"] = new JsonObject { ["type"] = "ByteLevel" }, "decoder"),
        ("no bos", j =>
        {
            j["added_tokens"]![2]!["content"] = "<start>";
            j["model"]!["vocab"]!.AsObject().Remove("<bos>");
            j["model"]!["vocab"]!["<start>"] = 2;
        }, "<bos>"),
    ];

    public static IEnumerable<TestCaseData> MutationCases() =>
        Mutations.Select((m, i) => new TestCaseData(i).SetName($"JsonRefused_{m.Name.Replace(' ', '_')}"));

    [TestCaseSource(nameof(MutationCases))]
    public void MutatedConversionIsRefusedNamingTheField(int index)
    {
        var (_, mutate, field) = Mutations[index];
        var e = Refused(mutate);
        Assert.That(e.Message, Does.Contain(field));
    }

    [Test]
    public void RandomlyCorruptedFilesFailOnlyWithTokenizerFormatException()
    {
        // Overwrite a few bytes (invalid UTF-8 and JSON punctuation included) or cut the file short; loading must either
        // succeed or throw the typed exception, never anything else.
        byte[] valid = Encoding.UTF8.GetBytes(Valid().ToJsonString());
        byte[] nasty = "\"{}[],:0-\\ \u00ff\u00c3"u8.ToArray().Concat(new byte[] { 0xC3, 0xFF, 0x80, 0xED, 0xA0, 0x80 }).ToArray();
        var edits = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, 255], Gen.Int[0, nasty.Length - 1]).Array[1, 6];
        Gen.Select(edits, Gen.Bool).Sample((changes, truncate) =>
        {
            byte[] bytes = (byte[])valid.Clone();
            foreach (var (position, value, pick) in changes)
                bytes[position] = value % 2 == 0 ? (byte)value : nasty[pick];
            if (truncate)
                bytes = bytes[..changes[0].Item1];
            try
            {
                PaliGemmaTokenizer.FromTokenizerJson(bytes, Source);
            }
            catch (TokenizerFormatException)
            {
            }
        }, iter: 400);
    }

    [Test]
    public void LimitsAreEnforcedBeforeParsing()
    {
        string json = Valid().ToJsonString();
        Assert.Multiple(() =>
        {
            Assert.That(Refused(json, new TokenizerLimits { MaxFileBytes = 1000 }).Message, Does.Contain("TokenizerLimits.MaxFileBytes"));
            Assert.That(Refused(json, new TokenizerLimits { MaxPieces = 100 }).Message, Does.Contain("TokenizerLimits.MaxPieces"));
            Assert.That(Refused(json, new TokenizerLimits { MaxPieceBytes = 8 }).Message, Does.Contain("TokenizerLimits.MaxPieceBytes"));
            Assert.That(Refused(json, new TokenizerLimits { MaxMerges = 10 }).Message, Does.Contain("TokenizerLimits.MaxMerges"));
        });
    }

    [Test]
    public void FileLoaderNamesThePathAndChecksTheSizeFirst()
    {
        string dir = Directory.CreateTempSubdirectory("palicuda-tokjson-").FullName;
        try
        {
            string path = Path.Combine(dir, PaliGemmaTokenizer.TokenizerJsonFileName);
            File.WriteAllText(path, Valid().ToJsonString());
            Assert.That(PaliGemmaTokenizer.FromTokenizerJsonFile(path).VocabSize, Is.EqualTo(480));
            var tooBig = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromTokenizerJsonFile(path, new TokenizerLimits { MaxFileBytes = 10 }));
            Assert.That(tooBig!.Message, Does.Contain(path).And.Contain("MaxFileBytes"));
            string missing = Path.Combine(dir, "absent.json");
            var absent = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromTokenizerJsonFile(missing));
            Assert.That(absent!.Message, Does.Contain(missing));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void PipelinePrefersTokenizerModelThenTokenizerJson()
    {
        string dir = Directory.CreateTempSubdirectory("palicuda-tokpick-").FullName;
        try
        {
            string modelPath = Path.Combine(dir, PaliGemmaPipeline.TokenizerFileName);
            string jsonPath = Path.Combine(dir, PaliGemmaPipeline.TokenizerJsonFileName);

            var none = Assert.Throws<TokenizerFormatException>(() => PaliGemmaPipeline.LoadTokenizer(dir));
            Assert.That(none!.Message, Does.Contain("tokenizer.model").And.Contain("tokenizer.json").And.Contain(dir).And.Contain("does not exist"));

            // Only tokenizer.json: it is used.
            File.WriteAllText(jsonPath, Valid().ToJsonString());
            Assert.That(PaliGemmaPipeline.LoadTokenizer(dir).Encode("hello world"), Is.EqualTo(PaliGemmaTokenizer.FromSentencePieceFile(TestPaths.Fixture("tokenizer", "tokenizer.model")).Encode("hello world")));

            // Both present: tokenizer.model wins, so a broken tokenizer.json beside it is never read.
            File.WriteAllText(jsonPath, "not json");
            File.Copy(TestPaths.Fixture("tokenizer", "tokenizer.model"), modelPath);
            Assert.That(PaliGemmaPipeline.LoadTokenizer(dir).VocabSize, Is.EqualTo(480));

            // Only a broken tokenizer.json: its error surfaces, naming it.
            File.Delete(modelPath);
            var broken = Assert.Throws<TokenizerFormatException>(() => PaliGemmaPipeline.LoadTokenizer(dir));
            Assert.That(broken!.Message, Does.Contain(jsonPath));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
