using NUnit.Framework;
using PaliCuda.Text;

namespace PaliCuda.Tests.Hostile;

/// <summary>Regression tests for inputs the fuzzers and mutation tests found; each once let a raw exception escape.</summary>
public class FoundByFuzzingTests
{
    private static byte[] TinyTokenizer() =>
        File.ReadAllBytes(TestPaths.Fixture("tokenizer", "tokenizer.model"));

    [Test]
    public void ByteFallbackModelWithARenamedBytePiece()
    {
        // CsCheck seed 1UMpJbFkZdr1: byte 571 is the first '0' of the piece "<0x00>"; as 0x7F the piece is no byte name,
        // Microsoft.ML.Tokenizers then gave byte 0x00 an id one past the vocabulary and Decode threw ArgumentOutOfRange.
        var model = TinyTokenizer();
        Assert.That(System.Text.Encoding.ASCII.GetString(model, 570, 6), Is.EqualTo("<0x00>"));
        model[571] = 0x7F;
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece(model, "renamed-byte.model"))!;
        Assert.That(e.Message, Does.Match("byte piece \\d+ is named '.*', not <0xNN>").And.Contain("renamed-byte.model"));
    }

    [Test]
    public void ByteFallbackModelMissingABytePiece()
    {
        // The same model with "<0x00>" demoted from a byte piece to a normal one ("<0x00>" is followed by its score
        // (fixed32, tag 0x15) and its type (varint, tag 0x18) = 6).
        var model = TinyTokenizer();
        int typeTag = 576 + 5;
        Assert.That(model[typeTag..(typeTag + 2)], Is.EqualTo(new byte[] { 0x18, 0x06 }));
        model[typeTag + 1] = 1;
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece(model, "missing-byte.model"))!;
        Assert.That(e.Message, Does.Contain("has 255 of the 256 byte pieces"));
    }

    /// <summary>The five crashes AFL saved in its first 200 s on the tokenizer target (fuzz.sh tokenizer 200), kept as files.</summary>
    [TestCase("afl-crash-0.model"), TestCase("afl-crash-1.model"), TestCase("afl-crash-2.model"), TestCase("afl-crash-3.model"), TestCase("afl-crash-4.model")]
    public void AflTokenizerCrashes(string file)
    {
        var path = TestPaths.Fixture("malformed", "tokenizer", file);
        var e = Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePieceFile(path))!;
        Assert.That(e.Message, Does.Match("byte piece \\d+ is named|of the 256 byte pieces").And.Contain(path));
    }
}
