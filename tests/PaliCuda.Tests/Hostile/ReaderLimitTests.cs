using System.Text;
using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Tests.Checkpoint;
using PaliCuda.Text;

namespace PaliCuda.Tests.Hostile;

/// <summary>
/// The size and shape bounds added for hostile files: each is checked before the expensive work, and the error names
/// the file and the limit. (Per-field format errors are covered by the Checkpoint, Config, Text and Imaging tests.)
/// </summary>
public class ReaderLimitTests
{
    private TempFolder _temp = null!;

    [SetUp] public void CreateFolder() => _temp = TestPaths.NewTempFolder();
    [TearDown] public void DeleteFolder() => _temp.Dispose();

    /// <summary>A file of <paramref name="bytes"/> spaces: valid JSON padding, so only the size can be the problem.</summary>
    private string SpaceFile(string name, long bytes)
    {
        var path = _temp.File(name);
        using var stream = File.Create(path);
        stream.SetLength(bytes);
        return path;
    }

    [Test]
    public void OversizeConfigIsRefusedBeforeReading()
    {
        var path = SpaceFile("config.json", PaliGemmaConfigReader.MaxFileBytes + 1);
        var e = Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(path))!;
        Assert.That(e.Message, Does.Contain($"{PaliGemmaConfigReader.MaxFileBytes + 1} bytes").And.Contain("MaxFileBytes").And.Contain(path));
        var g = Assert.Throws<ConfigFormatException>(() => GenerationConfigReader.Read(path))!;
        Assert.That(g.Message, Does.Contain("MaxFileBytes").And.Contain(path));
    }

    [Test]
    public void DeeplyNestedConfigIsAJsonErrorNotAStackOverflow()
    {
        int depth = PaliGemmaConfigReader.MaxJsonDepth + 1;
        var json = "{\"model_type\": \"paligemma\", \"x\": " + string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth)) + "}";
        var path = _temp.Write("config.json", json);
        var e = Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Read(path))!;
        Assert.That(e.Message, Does.StartWith("not valid JSON").And.Contain("depth").And.Contain(path));
    }

    [Test]
    public void AbsurdConfigValuesNameTheField()
    {
        var e = Assert.Throws<ConfigFormatException>(() => PaliGemmaConfigReader.Parse(
            "{\"model_type\": \"paligemma\", \"text_config\": {\"max_position_embeddings\": 1e300}}", "c.json"))!;
        Assert.That(e.Field, Is.EqualTo("text_config.max_position_embeddings"));
        var g = Assert.Throws<ConfigFormatException>(() => GenerationConfigReader.Parse("{\"max_new_tokens\": -5}", "g.json"))!;
        Assert.That(g.Field, Is.EqualTo("max_new_tokens"));
        Assert.That(g.Message, Does.Contain("-5 is outside"));
    }

    [Test]
    public void OversizeShardIndexIsRefusedBeforeReading()
    {
        var path = SpaceFile(PaliGemmaCheckpoint.ShardIndexFileName, 4097);
        var e = Assert.Throws<CheckpointFormatException>(() => ShardedTensorStore.Open(path, new SafetensorsLimits(MaxIndexBytes: 4096)))!;
        Assert.That(e.Message, Does.Contain("4097 bytes").And.Contain("SafetensorsLimits.MaxIndexBytes").And.Contain(path));
    }

    [Test]
    public void ShardIndexThatIsNotJsonOrPointsOutsideItsFolder()
    {
        var notJson = _temp.Write("a.index.json", [0xFF, 0xFE, 0x00]);
        Assert.That(Assert.Throws<CheckpointFormatException>(() => ShardedTensorStore.Open(notJson))!.Message,
            Does.Contain("not valid UTF-8").And.Contain(notJson));
        var escape = _temp.Write("b.index.json", "{\"weight_map\": {\"w\": \"../../etc/passwd\"}}");
        Assert.That(Assert.Throws<CheckpointFormatException>(() => ShardedTensorStore.Open(escape))!.Message,
            Does.Contain("not a plain file name").And.Contain("tensor 'w'"));
    }

    [Test]
    public void SafetensorsHeaderNestedTooDeepIsAFormatError()
    {
        var header = Encoding.UTF8.GetBytes("{\"a\": " + new string('[', 40) + new string(']', 40) + "}");
        var path = _temp.Write("deep.safetensors", SafetensorsBytes.Assemble(header, []));
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path))!;
        Assert.That(e.Message, Does.Contain("not valid UTF-8 JSON").And.Contain(path));
    }

    [Test]
    public void OversizeTokenizerFileIsRefusedBeforeReading()
    {
        var path = SpaceFile("tokenizer.model", 1025);
        var e = Assert.Throws<TokenizerFormatException>(() =>
            PaliGemmaTokenizer.FromSentencePieceFile(path, new TokenizerLimits { MaxFileBytes = 1024 }))!;
        Assert.That(e.Message, Does.Contain("1025 bytes").And.Contain("TokenizerLimits.MaxFileBytes").And.Contain(path));
    }

    [Test]
    public void TokenizerPieceCountAndPieceLengthAreBounded()
    {
        var model = File.ReadAllBytes(TestPaths.Fixture("tokenizer", "tokenizer.model"));
        var tooMany = Assert.Throws<TokenizerFormatException>(() =>
            PaliGemmaTokenizer.FromSentencePiece(model, "tiny.model", new TokenizerLimits { MaxPieces = 10 }))!;
        Assert.That(tooMany.Message, Does.Contain("more than 10 pieces").And.Contain("TokenizerLimits.MaxPieces").And.Contain("tiny.model"));
        var tooLong = Assert.Throws<TokenizerFormatException>(() =>
            PaliGemmaTokenizer.FromSentencePiece(model, "tiny.model", new TokenizerLimits { MaxPieceBytes = 1 }))!;
        Assert.That(tooLong.Message, Does.Match("piece \\d+ is longer than 1 bytes").And.Contain("TokenizerLimits.MaxPieceBytes"));
    }

    [Test]
    public void HostileProtobufVarintsEndWithATypedError()
    {
        // Field 1 (pieces), length-delimited, with an 11-byte varint length: a loop that trusted it would never end.
        byte[] endlessVarint = [0x0A, .. Enumerable.Repeat((byte)0xFF, 11)];
        Assert.That(Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece(endlessVarint, "v.model"))!.Message,
            Does.Contain("varint longer than 10 bytes"));
        // A length of 2^63 must not become a negative int slice.
        byte[] hugeLength = [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        Assert.That(Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece(hugeLength, "l.model"))!.Message,
            Does.Contain("runs past the end of its message"));
        // Wire type 7 does not exist.
        Assert.That(Assert.Throws<TokenizerFormatException>(() => PaliGemmaTokenizer.FromSentencePiece([0x0F], "w.model"))!.Message,
            Does.Contain("unsupported wire type 7"));
    }
}
