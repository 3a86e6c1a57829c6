using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Numerics;

namespace PaliCuda.Tests.Checkpoint;

public class SafetensorsFileTests
{
    [Test]
    public void TinyFixtureOpensWithEveryTensorTheReferenceLists()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tiny-pg2", "reference.json")));
        var checkpoint = reference.RootElement.GetProperty("checkpoint");
        using var file = SafetensorsFile.Open(TestPaths.Fixture("tiny-pg2", "model.safetensors"));

        Assert.That(file.Names, Has.Count.EqualTo(checkpoint.GetProperty("tensor_count").GetInt32()));
        foreach (var entry in checkpoint.GetProperty("safetensors_metadata").EnumerateObject())
            Assert.That(file.Metadata[entry.Name], Is.EqualTo(entry.Value.GetString()));
        Assert.That(file.UnusedDataBytes, Is.Zero);
        var embed = file.Describe("language_model.model.embed_tokens.weight");
        Assert.That(embed.DType, Is.EqualTo(TensorDType.F32));
        Assert.That(embed.ByteLength, Is.EqualTo(embed.ElementCount * 4));
        Assert.That(file.ReadFloat32(embed.Name), Has.Length.EqualTo(embed.ElementCount));
    }

    [Test]
    public void F32Bf16AndF16TensorsReadBackAsTheSameFloats()
    {
        // Values exactly representable in all three formats, so every conversion must reproduce them bit for bit.
        float[] values = [0f, -0f, 1f, -2.5f, 0.125f, 1024f, -65280f, float.PositiveInfinity];
        var bf16 = values.SelectMany(v => BitConverter.GetBytes(((BFloat16)v).RawValue)).ToArray();
        var f16 = values.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray();
        var bytes = new SafetensorsBytes()
            .F32("f32", [2, 4], values)
            .Tensor("bf16", "BF16", [8], bf16)
            .Tensor("f16", "F16", [4, 2], f16)
            .Tensor("ints", "I32", [2], new byte[8])
            .Metadata("format", "pt")
            .Build();
        using var temp = TestPaths.NewTempFolder();
        using var file = SafetensorsFile.Open(temp.Write("x.safetensors", bytes));

        foreach (var name in new[] { "f32", "bf16", "f16" })
            Assert.That(file.ReadFloat32(name).Select(BitConverter.SingleToUInt32Bits),
                Is.EqualTo(values.Select(BitConverter.SingleToUInt32Bits)), name);

        var chunk = new float[3];
        file.ReadFloat32("bf16", 5, chunk);
        Assert.That(chunk, Is.EqualTo(values[5..8]));
        Assert.That(file.GetBytes("f16", 2, 4).ToArray(), Is.EqualTo(f16[2..6]));
        Assert.That(file.Describe("f16").Shape, Is.EqualTo(new long[] { 4, 2 }));
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));

        var error = Assert.Throws<CheckpointFormatException>(() => file.ReadFloat32("ints"))!;
        Assert.That(error.Message, Does.Contain("I32").And.Contain("ints"));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.GetBytes("f16", 10, 8));
        Assert.Throws<CheckpointFormatException>(() => file.Describe("absent"));
    }

    [Test]
    public void GapsInTheDataSectionAreCountedNotRejected()
    {
        var bytes = new SafetensorsBytes().F32("a", 3).ExtraData(12).Build();
        using var temp = TestPaths.NewTempFolder();
        using var file = SafetensorsFile.Open(temp.Write("gap.safetensors", bytes));
        Assert.That(file.UnusedDataBytes, Is.EqualTo(12));
    }

    [Test]
    public void DisposedFileRefusesReads()
    {
        using var temp = TestPaths.NewTempFolder();
        var file = SafetensorsFile.Open(temp.Write("d.safetensors", new SafetensorsBytes().F32("a", 2).Build()));
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.GetBytes("a"));
    }
}
