using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Generation;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Quantization;

public class QuantizedCheckpointTests
{
    private static readonly QuantizationPlan Int8 = QuantizationPlan.ForWeights(WeightFormat.Int8);
    private static readonly QuantizationPlan Int4 = QuantizationPlan.ForWeights(WeightFormat.Int4);
    private static readonly string Up0 = PaliGemmaWeightNames.TextLayer(0, "mlp.up_proj.weight");

    [TestCase(WeightFormat.Int8)]
    [TestCase(WeightFormat.Int4)]
    [TestCase(WeightFormat.Fp8)]
    public void AQuantizedCheckpointLoadsTheSameWeightsAsQuantizingAtLoad(WeightFormat format)
    {
        var plan = QuantizationPlan.ForWeights(format);
        using var folder = TestPaths.NewTempFolder();
        var summary = CheckpointQuantizer.Quantize(TestPaths.TinyPg2, folder.Path, plan);
        Assert.That(summary.CopiedFiles, Does.Contain("config.json").And.Contain("generation_config.json"));

        using var quantized = PaliGemmaCheckpoint.Open(folder.Path);
        using var original = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        Assert.That(quantized.Quantization, Is.Not.Null);
        Assert.That(quantized.Quantization!.Plan, Is.EqualTo(plan));
        quantized.ValidateAll();
        var packed = quantized.Quantization.GetPacked(Up0);
        var expected = QuantizedWeight.Quantize(format, original.Weights.ReadFloat32(Up0), packed.Rows, packed.Columns);
        Assert.That(packed.Data, Is.EqualTo(expected.Data));
        Assert.That(packed.Scales, Is.EqualTo(expected.Scales));

        var (pixels, ids, _) = TinyCase.Load();
        using var fromFile = PaliGemmaEngine.Load(folder.Path);
        using var atLoad = PaliGemmaEngine.Load(TestPaths.TinyPg2, new EngineOptions { Weights = plan });
        Assert.That(fromFile.RunPrefill(pixels, ids, ["logits"]).Taps["logits"], Is.EqualTo(atLoad.RunPrefill(pixels, ids, ["logits"]).Taps["logits"]));
    }

    [Test]
    public void Int8KeepsTheTinyFixturesGreedyTokens()
    {
        var (pixels, ids, expected) = TinyCase.Load();
        using var engine = PaliGemmaEngine.Load(TestPaths.TinyPg2, new EngineOptions { Weights = Int8 });
        var tokens = engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = expected.Length, StopTokenIds = [] }).TokenIds;
        Assert.That(tokens, Is.EqualTo(expected));
    }

    [Test]
    public void LoadingAQuantizedCheckpointAsAnotherFormatOrQuantizingItAgainIsRefused()
    {
        using var folder = TestPaths.NewTempFolder();
        CheckpointQuantizer.Quantize(TestPaths.TinyPg2, folder.Path, Int8);
        Assert.That(() => PaliGemmaEngine.Load(folder.Path, new EngineOptions { Weights = Int4 }), Throws.ArgumentException.With.Message.Contains("already quantized"));
        using var again = TestPaths.NewTempFolder();
        Assert.That(() => CheckpointQuantizer.Quantize(folder.Path, again.Path, Int4), Throws.TypeOf<CheckpointFormatException>().With.Message.Contains("already quantized"));
        Assert.That(() => CheckpointQuantizer.Quantize(folder.Path, folder.Path, Int4), Throws.ArgumentException);
    }

    [Test]
    public void AFailedQuantizationLeavesThePreviousOutputIntact()
    {
        using var folder = TestPaths.NewTempFolder();
        CheckpointQuantizer.Quantize(TestPaths.TinyPg2, folder.Path, Int8);
        var weightsPath = Path.Combine(folder.Path, PaliGemmaCheckpoint.SingleFileName);
        var before = File.ReadAllBytes(weightsPath);
        int written = 0;
        Assert.That(() => CheckpointQuantizer.Quantize(TestPaths.TinyPg2, folder.Path, Int4, _ => { if (++written == 20) throw new IOException("injected crash"); }),
            Throws.TypeOf<IOException>());
        Assert.That(File.ReadAllBytes(weightsPath), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp"), Is.Empty);
        using var checkpoint = PaliGemmaCheckpoint.Open(folder.Path);
        Assert.That(checkpoint.Quantization!.Plan, Is.EqualTo(Int8));
    }

    private static readonly string Scales = Up0 + QuantizationMetadata.ScalesSuffix;

    /// <summary>Re-writes a good int4 checkpoint with one defect and returns the error opening it gives.</summary>
    private static CheckpointFormatException OpenWithDefect(Action<Dictionary<string, string>> editMetadata, string? drop = null, (string Name, long[] Shape)? reshape = null)
    {
        using var good = TestPaths.NewTempFolder();
        CheckpointQuantizer.Quantize(TestPaths.TinyPg2, good.Path, Int4);
        using var bad = TestPaths.NewTempFolder();
        foreach (var f in Directory.GetFiles(good.Path).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(f, Path.Combine(bad.Path, Path.GetFileName(f)));
        using (var file = SafetensorsFile.Open(Path.Combine(good.Path, PaliGemmaCheckpoint.SingleFileName)))
        {
            var metadata = new Dictionary<string, string>(file.Metadata);
            editMetadata(metadata);
            var writer = new SafetensorsWriter(metadata);
            foreach (var name in file.Names)
            {
                var info = file.Describe(name);
                if (name == drop) continue;
                if (reshape is { } r && r.Name == name)
                    writer.Add(name, info.DType, r.Shape, new byte[r.Shape.Aggregate(1L, (a, b) => a * b) * info.DType.SizeInBytes()]);
                else
                    writer.Add(name, info.DType, info.Shape, file.GetBytes(name).ToArray());
            }
            writer.Save(Path.Combine(bad.Path, PaliGemmaCheckpoint.SingleFileName));
        }
        return Assert.Throws<CheckpointFormatException>(() => PaliGemmaCheckpoint.Open(bad.Path).Dispose())!;
    }

    [Test]
    public void InconsistentQuantizationMetadataIsAFormatErrorNamingTheProblem()
    {
        Assert.That(OpenWithDefect(m => m[QuantizationMetadata.GroupSizeKey] = "64").Message, Does.Contain("int4_group_size").And.Contain("groups of 128"));
        Assert.That(OpenWithDefect(m => m[QuantizationMetadata.VersionKey] = "2").Message, Does.Contain("unsupported quantization packing version '2'"));
        Assert.That(OpenWithDefect(m => m.Remove(QuantizationMetadata.VersionKey)).Message, Does.Contain("no 'palicuda.quantization.version'"));
        Assert.That(OpenWithDefect(m => m[QuantizationMetadata.PlanKey] = "decoder=int4").Message, Does.Contain("plan"));

        var unknown = OpenWithDefect(m => m[QuantizationMetadata.TensorsKey] = m[QuantizationMetadata.TensorsKey].Replace(
            $"\"{Up0}\":{{\"format\":\"int4\"", $"\"{Up0}\":{{\"format\":\"int3\"", StringComparison.Ordinal));
        Assert.That(unknown.TensorName, Is.EqualTo(Up0));
        Assert.That(unknown.Message, Does.Contain("unknown packed format 'int3'"));

        var missing = OpenWithDefect(_ => { }, drop: Scales);
        Assert.That(missing.TensorName, Is.EqualTo(Up0));
        Assert.That(missing.Message, Does.Contain("no '" + Scales + "'"));
    }

    [Test]
    public void PackedTensorsWithTheWrongShapeOrNoEntryAreFormatErrorsNamingTheTensor()
    {
        var wrongShape = OpenWithDefect(_ => { }, reshape: (Scales, [128, 2]));
        Assert.That(wrongShape.TensorName, Is.EqualTo(Up0));
        Assert.That(wrongShape.Message, Does.Contain("'scales' is BF16 [128, 2]").And.Contain("needs BF16 [128, 1]"));

        var unlisted = OpenWithDefect(m => m[QuantizationMetadata.TensorsKey] = "{}");
        Assert.That(unlisted.TensorName, Does.EndWith(QuantizationMetadata.DataSuffix).Or.EndWith(QuantizationMetadata.ScalesSuffix));
        Assert.That(unlisted.Message, Does.Contain("not listed"));
    }
}
