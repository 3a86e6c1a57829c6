using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PaliCuda.Checkpoint;

namespace PaliCuda.Tests.Checkpoint;

/// <summary>Each case builds a broken file in the test and checks that opening it fails with a message that says where and what.</summary>
public class SafetensorsMalformedInputTests
{
    private TempFolder _temp = null!;

    [SetUp] public void CreateFolder() => _temp = TestPaths.NewTempFolder();
    [TearDown] public void DeleteFolder() => _temp.Dispose();

    private CheckpointFormatException OpenFails(byte[] bytes, SafetensorsLimits? limits = null)
    {
        var path = _temp.Write("bad.safetensors", bytes);
        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path, limits).Dispose())!;
        Assert.That(error.FilePath, Is.EqualTo(path));
        Assert.That(error.Message, Does.Contain(path), "message names the file");
        return error;
    }

    private static JsonObject Entry(string dtype, JsonArray shape, JsonArray offsets) =>
        new() { ["dtype"] = dtype, ["shape"] = shape, ["data_offsets"] = offsets };

    [Test]
    public void EmptyAndTruncatedFiles()
    {
        Assert.That(OpenFails([]).Message, Does.Contain("shorter than the 8-byte header length"));
        Assert.That(OpenFails([1, 0, 0]).Message, Does.Contain("shorter than the 8-byte header length"));
        var good = new SafetensorsBytes().F32("a", 4).Build();
        Assert.That(OpenFails(good[..^4]).Message, Does.Contain("beyond the data section").And.Contain("'a'"));
    }

    [Test]
    public void HeaderLengthZeroHugeOrPastTheEnd()
    {
        var header = Encoding.UTF8.GetBytes("{}");
        Assert.That(OpenFails(SafetensorsBytes.Assemble(header, [], 0)).Message, Does.Contain("header length is 0"));
        Assert.That(OpenFails(SafetensorsBytes.Assemble(header, [], 1UL << 63)).Message, Does.Contain("exceeds the limit"));
        Assert.That(OpenFails(SafetensorsBytes.Assemble(header, [], ulong.MaxValue)).Message, Does.Contain("exceeds the limit"));
        Assert.That(OpenFails(SafetensorsBytes.Assemble(header, [], 3)).Message, Does.Contain("longer than the 2 bytes after it"));
        var limited = new SafetensorsLimits(MaxHeaderBytes: 16);
        Assert.That(OpenFails(new SafetensorsBytes().F32("a", 2).Build(), limited).Message, Does.Contain("MaxHeaderBytes"));
    }

    [Test]
    public void HeaderThatIsNotAJsonObject()
    {
        Assert.That(OpenFails(SafetensorsBytes.Assemble(Encoding.UTF8.GetBytes("{\"a\": "), [])).Message, Does.Contain("not valid UTF-8 JSON"));
        Assert.That(OpenFails(SafetensorsBytes.Assemble([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], [])).Message, Does.Contain("not valid UTF-8 JSON"));
        Assert.That(OpenFails(SafetensorsBytes.Assemble(Encoding.UTF8.GetBytes("[1, 2]"), [])).Message, Does.Contain("must be a JSON object"));
        Assert.That(OpenFails(SafetensorsBytes.Assemble(Encoding.UTF8.GetBytes("{\"__metadata__\": {\"k\": 1}}"), [])).Message,
            Does.Contain("must be a string"));
    }

    [Test]
    public void UnknownDtype()
    {
        var bytes = new SafetensorsBytes().Tensor("weird", "F24", [2], new byte[6]).Build();
        var error = OpenFails(bytes);
        Assert.That(error.TensorName, Is.EqualTo("weird"));
        Assert.That(error.Message, Does.Contain("unknown dtype 'F24'").And.Contain("'weird'"));
    }

    [Test]
    public void BadShapes()
    {
        var negative = new SafetensorsBytes().RawEntry("neg", Entry("F32", [2, -1], [0, 0])).Build();
        Assert.That(OpenFails(negative).Message, Does.Contain("negative").And.Contain("'neg'"));

        var overflow = new SafetensorsBytes().RawEntry("big", Entry("F32", [1L << 40, 1L << 40], [0, 0])).Build();
        Assert.That(OpenFails(overflow).Message, Does.Contain("64 bits").And.Contain("'big'"));

        var bytesOverflow = new SafetensorsBytes().RawEntry("big", Entry("F64", [1L << 62], [0, 0])).Build();
        Assert.That(OpenFails(bytesOverflow).Message, Does.Contain("overflow").And.Contain("'big'"));

        var fraction = new SafetensorsBytes().RawEntry("frac", Entry("F32", [1.5], [0, 4])).Build();
        Assert.That(OpenFails(fraction).Message, Does.Contain("not an integer").And.Contain("'frac'"));

        var deep = new SafetensorsBytes().RawEntry("deep", Entry("F32", [1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 4])).Build();
        Assert.That(OpenFails(deep).Message, Does.Contain("MaxRank").And.Contain("'deep'"));
    }

    [Test]
    public void BadOffsets()
    {
        var outOfFile = new SafetensorsBytes().F32("a", 2).RawEntry("b", Entry("F32", [2], [8, 16])).Build();
        Assert.That(OpenFails(outOfFile).Message, Does.Contain("beyond the data section").And.Contain("'b'"));

        var reversed = new SafetensorsBytes().F32("a", 2).RawEntry("b", Entry("F32", [0], [8, 0])).Build();
        Assert.That(OpenFails(reversed).Message, Does.Contain("after end").And.Contain("'b'"));

        var three = new SafetensorsBytes().F32("a", 2).RawEntry("b", Entry("F32", [0], [0, 0, 0])).Build();
        Assert.That(OpenFails(three).Message, Does.Contain("two integers").And.Contain("'b'"));

        var text = new SafetensorsBytes().F32("a", 2).RawEntry("b", Entry("F32", [0], ["0", "0"])).Build();
        Assert.That(OpenFails(text).Message, Does.Contain("data_offsets[0]").And.Contain("'b'"));

        var missing = new SafetensorsBytes().RawEntry("m", new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(1) }).Build();
        Assert.That(OpenFails(missing).Message, Does.Contain("data_offsets").And.Contain("'m'"));
    }

    [Test]
    public void OverlappingTensors()
    {
        var bytes = new SafetensorsBytes().F32("a", 4).RawEntry("b", Entry("F32", [2], [8, 16])).Build();
        var error = OpenFails(bytes);
        Assert.That(error.Message, Does.Contain("overlap"));
        Assert.That(new[] { "'a'", "'b'" }.All(error.Message.Contains), Is.True, error.Message);
    }

    [Test]
    public void ByteLengthDisagreesWithShape()
    {
        var bytes = new SafetensorsBytes().Tensor("short", "F32", [3], new byte[8]).Build();
        var error = OpenFails(bytes);
        Assert.That(error.Message, Does.Contain("byte length 8").And.Contain("= 12").And.Contain("'short'"));
    }

    [Test]
    public void TooManyTensors()
    {
        var builder = new SafetensorsBytes();
        for (int i = 0; i < 5; i++) builder.F32($"t{i}", 1);
        Assert.That(OpenFails(builder.Build(), new SafetensorsLimits(MaxTensorCount: 4)).Message, Does.Contain("MaxTensorCount"));
    }
}
