using NUnit.Framework;
using PaliCuda.Backends;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Gpu.Quantized;

/// <summary>
/// The packed embedding gather (kernels/embedding_quantized.cu) on tiny-pg2's table, packed at upload by the GPU
/// backend: every gathered element is the CPU reference's s·q (<see cref="QuantizedWeight.DequantizeRow"/>) rounded
/// once to bf16, bit for bit; an id outside the vocabulary gives a NaN row.
/// </summary>
public class QuantizedEmbeddingGatherTests
{
    [TestCase(WeightFormat.Int8), TestCase(WeightFormat.Int4), TestCase(WeightFormat.Fp8)]
    public void GatheredRowsAreTheReferenceRowsRoundedOnce(WeightFormat format)
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var name = PaliGemmaWeightNames.EmbedTokens;
        var info = checkpoint.Weights.Describe(name);
        int vocab = (int)info.Shape[0], cols = (int)info.Shape[1];
        using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
        var plan = new QuantizationPlan(WeightFormat.BF16, WeightFormat.BF16, WeightFormat.BF16, format);
        Assert.That(gpu.AcceptQuantizationPlan(plan), Is.True);
        var table = gpu.UploadWeight(name, checkpoint.Weights, [vocab, cols]);
        Assert.That(table.Packed?.Format, Is.EqualTo(format), "the table is stored packed");

        int[] ids = [0, 7, vocab - 1, 3, vocab];
        using var idsMemory = gpu.Allocate(ids.Length * 4, "ids");
        using var yMemory = gpu.Allocate(ids.Length * cols * 2L, "y");
        var idsTensor = new DeviceTensor(idsMemory, 0, [ids.Length], BufferDType.I32, "ids");
        var y = new DeviceTensor(yMemory, 0, [ids.Length, cols], BufferDType.BF16, "y");
        gpu.Write(idsTensor, ids);
        gpu.EmbeddingGather(table, idsTensor, y);
        var actual = new float[ids.Length * cols];
        gpu.Read(y, actual);

        var reference = QuantizedWeight.Quantize(format, checkpoint.Weights.ReadFloat32(name), vocab, cols);
        var row = new float[cols];
        for (var t = 0; t < ids.Length - 1; t++)
        {
            reference.DequantizeRow(ids[t], row);
            var expected = row.Select(v => BitConverter.UInt32BitsToSingle((uint)BFloat16.RoundToBits(v) << 16)).ToArray();
            Assert.That(actual.AsSpan(t * cols, cols).ToArray(), Is.EqualTo(expected), $"row of id {ids[t]}");
        }
        Assert.That(actual.AsSpan((ids.Length - 1) * cols, cols).ToArray(), Has.All.NaN, "an id outside the vocabulary gives a NaN row");
    }

    [Test]
    public void AnOpThatReadsPlainElementsRefusesAPackedWeight()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var name = PaliGemmaWeightNames.EmbedTokens;
        var info = checkpoint.Weights.Describe(name);
        using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
        gpu.AcceptQuantizationPlan(QuantizationPlan.ForWeights(WeightFormat.Int8));
        var table = gpu.UploadWeight(name, checkpoint.Weights, [(int)info.Shape[0], (int)info.Shape[1]]);
        using var memory = gpu.Allocate(table.ElementCount * 2, "y");
        var y = new DeviceTensor(memory, 0, table.Shape, BufferDType.BF16, "y");
        var e = Assert.Throws<PaliCuda.Backends.Gpu.GpuLaunchException>(() => gpu.GeluTanh(table, y));
        Assert.That(e!.Message, Does.Contain("packed").And.Contain(name));
    }
}
