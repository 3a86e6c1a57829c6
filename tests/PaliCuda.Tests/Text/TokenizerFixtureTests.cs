using NUnit.Framework;
using System.Text.Json;
using PaliCuda.Text;

namespace PaliCuda.Tests.Text;

/// <summary>Checks the tokenizer against the ids/pieces/decodings sentencepiece gave for the fixture model.</summary>
public class TokenizerFixtureTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tokenizer", "tokenizer_tests.json"))).RootElement);

    private static readonly Lazy<PaliGemmaTokenizer> Tokenizer = new(() =>
        PaliGemmaTokenizer.FromSentencePieceFile(TestPaths.Fixture("tokenizer", "tokenizer.model")));

    public static IEnumerable<TestCaseData> Cases()
    {
        int index = 0;
        foreach (var c in Fixture.Value.GetProperty("cases").EnumerateArray())
            yield return new TestCaseData(index++).SetName($"TokenizerCase{index - 1:D2}");
    }

    private static JsonElement Case(int index) => Fixture.Value.GetProperty("cases")[index];

    [TestCaseSource(nameof(Cases))]
    public void EncodeGivesSentencePieceIds(int index)
    {
        var c = Case(index);
        int[] expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.That(Tokenizer.Value.Encode(c.GetProperty("text").GetString()!), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Cases))]
    public void EncodeToPiecesGivesSentencePiecePieces(int index)
    {
        var c = Case(index);
        string[] expected = c.GetProperty("pieces").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.That(Tokenizer.Value.EncodeToPieces(c.GetProperty("text").GetString()!), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Cases))]
    public void DecodeGivesSentencePieceText(int index)
    {
        var c = Case(index);
        int[] ids = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        string expected = c.GetProperty("decoded").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(Tokenizer.Value.Decode(ids, skipSpecialTokens: false), Is.EqualTo(expected));
            Assert.That(Tokenizer.Value.Decode(ids, skipSpecialTokens: true), Is.EqualTo(expected));
        });
    }

    [Test]
    public void VocabularyMatchesFixture()
    {
        var vocab = Fixture.Value.GetProperty("vocab");
        var tok = Tokenizer.Value;
        Assert.That(tok.VocabSize, Is.EqualTo(Fixture.Value.GetProperty("vocab_size").GetInt32()));
        foreach (var entry in vocab.EnumerateArray())
        {
            int id = entry.GetProperty("id").GetInt32();
            string piece = entry.GetProperty("piece").GetString()!;
            string type = entry.GetProperty("type").GetString()!.Replace("_", "", StringComparison.Ordinal);
            Assert.That(tok.IdToPiece(id), Is.EqualTo(piece), $"piece of id {id}");
            Assert.That(tok.PieceToId(piece), Is.EqualTo(id), $"id of piece {piece}");
            Assert.That(tok.GetPieceType(id).ToString(), Is.EqualTo(type).IgnoreCase, $"type of id {id}");
        }
    }

    [Test]
    public void SpecialIdsMatchFixture()
    {
        var special = Fixture.Value.GetProperty("special_ids");
        var tok = Tokenizer.Value;
        Assert.Multiple(() =>
        {
            Assert.That(tok.PadId, Is.EqualTo(special.GetProperty("pad").GetInt32()));
            Assert.That(tok.EosId, Is.EqualTo(special.GetProperty("eos").GetInt32()));
            Assert.That(tok.BosId, Is.EqualTo(special.GetProperty("bos").GetInt32()));
            Assert.That(tok.UnkId, Is.EqualTo(special.GetProperty("unk").GetInt32()));
            Assert.That(tok.ImageTokenId, Is.EqualTo(special.GetProperty("image (control)").GetInt32()));
            Assert.That(tok.PieceToId("\n"), Is.EqualTo(special.GetProperty("newline (user_defined)").GetInt32()));
            Assert.That(tok.PieceToId("<loc0000>"), Is.EqualTo(special.GetProperty("loc0000").GetInt32()));
            Assert.That(tok.PieceToId("<seg000>"), Is.EqualTo(special.GetProperty("seg000").GetInt32()));
        });
    }

    [Test]
    public void DecodeWritesOrSkipsControlPieces()
    {
        var tok = Tokenizer.Value;
        int[] word = tok.Encode("hello world");
        int[] ids = [tok.ImageTokenId!.Value, tok.BosId, .. word, tok.EosId, tok.PadId!.Value, tok.UnkId];
        Assert.Multiple(() =>
        {
            Assert.That(tok.Decode(ids, skipSpecialTokens: true), Is.EqualTo("hello world"));
            Assert.That(tok.Decode(ids, skipSpecialTokens: false),
                Is.EqualTo(tok.IdToPiece(ids[0]) + tok.IdToPiece(ids[1]) + "hello world" + tok.IdToPiece(tok.EosId)
                           + tok.IdToPiece(tok.PadId!.Value) + tok.IdToPiece(tok.UnkId)));
        });
    }

    [Test]
    public void DecodeRejectsIdOutsideVocabulary()
    {
        var tok = Tokenizer.Value;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([5, tok.VocabSize], skipSpecialTokens: false));
        Assert.That(e!.Message, Does.Contain($"{tok.VocabSize}").And.Contain("position 1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([-1], skipSpecialTokens: true));
    }

    [Test]
    public void NonModelFileIsRejectedWithTypedException()
    {
        byte[] text = "this is not a sentencepiece model"u8.ToArray();
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece(text, "notes.txt"));
        Assert.That(e!.Message, Does.Contain("notes.txt"));
    }

    [Test]
    public void TruncatedModelIsRejectedWithTypedException()
    {
        byte[] full = File.ReadAllBytes(TestPaths.Fixture("tokenizer", "tokenizer.model"));
        byte[] truncated = full[..(full.Length / 2)];
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece(truncated, "half.model"));
        Assert.That(e!.Message, Does.Contain("half.model"));
    }

    [Test]
    public void EmptyModelIsRejectedWithTypedException() =>
        Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece([], "empty.model"));

    [Test]
    public void MissingFileIsRejectedWithTypedException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"palicuda-missing-{Guid.NewGuid():N}.model");
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePieceFile(path));
        Assert.That(e!.Message, Does.Contain(path));
    }
}
