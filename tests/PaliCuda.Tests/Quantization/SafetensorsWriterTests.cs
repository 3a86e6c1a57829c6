using System.Buffers.Binary;
using NUnit.Framework;
using PaliCuda.Checkpoint;

namespace PaliCuda.Tests.Quantization;

public class SafetensorsWriterTests
{
    [Test]
    public void WrittenFilesReadBackExactlyWithAnAlignedGaplessLayout()
    {
        using var folder = TestPaths.NewTempFolder();
        var random = new Random(5);
        byte[] Bytes(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        var tensors = new (string Name, TensorDType DType, long[] Shape, byte[] Data)[]
        {
            ("odd.u8", TensorDType.U8, [3, 5], Bytes(15)),
            ("a.f32", TensorDType.F32, [2, 3], Bytes(24)),
            ("b.bf16", TensorDType.BF16, [7], Bytes(14)),
            ("c.i8", TensorDType.I8, [9], Bytes(9)),
            ("d.f8", TensorDType.F8E4M3, [1, 3], Bytes(3)),
            ("empty", TensorDType.F32, [0, 4], []),
        };
        var writer = new SafetensorsWriter(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" });
        foreach (var t in tensors) writer.Add(t.Name, t.DType, t.Shape, t.Data);
        var path = folder.File("x.safetensors");
        writer.Save(path);

        var raw = File.ReadAllBytes(path);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(raw) % 8, Is.EqualTo(0), "header padded to 8 bytes");
        using var file = SafetensorsFile.Open(path);
        Assert.That(file.UnusedDataBytes, Is.EqualTo(0));
        Assert.That(file.Metadata["note"], Is.EqualTo("ünïcode \"quoted\""));
        foreach (var t in tensors)
        {
            var info = file.Describe(t.Name);
            Assert.That(info.DType, Is.EqualTo(t.DType), t.Name);
            Assert.That(info.Shape, Is.EqualTo(t.Shape), t.Name);
            Assert.That(info.DataOffset % t.DType.SizeInBytes(), Is.EqualTo(0), $"{t.Name} aligned to its element size");
            Assert.That(file.GetBytes(t.Name).ToArray(), Is.EqualTo(t.Data), t.Name);
        }
    }

    [Test]
    public void AFailureWhileWritingLeavesTheOldFileAndNoTemporaryFile()
    {
        using var folder = TestPaths.NewTempFolder();
        var path = folder.Write("model.safetensors", "previous complete file");
        var writer = new SafetensorsWriter();
        writer.Add("good", TensorDType.F32, [1024], new byte[4096]);
        writer.Add("crashes", TensorDType.F32, [1024], s => { s.Write(new byte[2048]); throw new IOException("injected failure mid-tensor"); });
        Assert.That(() => writer.Save(path), Throws.TypeOf<IOException>().With.Message.Contains("injected"));
        Assert.That(File.ReadAllText(path), Is.EqualTo("previous complete file"));
        Assert.That(Directory.GetFiles(folder.Path), Is.EquivalentTo(new[] { path }));

        var fresh = folder.File("fresh.safetensors");
        Assert.Throws<IOException>(() => writer.Save(fresh));
        Assert.That(File.Exists(fresh), Is.False);
    }

    [Test]
    public void ATensorWritingTheWrongByteCountIsRejected()
    {
        using var folder = TestPaths.NewTempFolder();
        var writer = new SafetensorsWriter();
        writer.Add("short", TensorDType.BF16, [4], s => s.Write(new byte[6]));
        Assert.That(() => writer.Save(folder.File("m.safetensors")), Throws.InvalidOperationException.With.Message.Contains("'short' wrote 6 bytes"));
        Assert.That(Directory.GetFiles(folder.Path), Is.Empty);
        Assert.Throws<ArgumentException>(() => writer.Add("short", TensorDType.U8, [1], new byte[1]));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", TensorDType.U8, [1], new byte[1]));
    }
}
