using System.Text;
using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Cli.Demo;
using PaliCuda.Generation;
using PaliCuda.Quantization;
using Variant = (string Name, PaliCuda.Quantization.QuantizationPlan Plan, PaliCuda.Tests.Quantization.QuantizationVariants.Reconstruct? Reconstruct);

namespace PaliCuda.Tests.Quantization;

/// <summary>
/// The measurements behind docs/QUANTIZATION.md (explicit: minutes of CPU). Prints markdown tables; asserts only
/// that every measurement produced a finite number.
/// </summary>
[Explicit("measurement report for docs/QUANTIZATION.md")]
public class QuantizationAccuracyReport
{
    private static readonly QuantizationPlan Int8Plan = QuantizationPlan.ForWeights(WeightFormat.Int8);
    private static readonly QuantizationPlan Int4Plan = QuantizationPlan.ForWeights(WeightFormat.Int4);

    private static readonly Variant[] Variants =
    [
        ("bf16", QuantizationPlan.ForWeights(WeightFormat.BF16), null),
        ("int8 (f32 scale, shipped)", Int8Plan, null),
        ("int8 (bf16 scale)", Int8Plan, QuantizationVariants.Int8Bf16Scale),
        ("int4 [-8,7] (shipped)", Int4Plan, null),
        ("int4 [-7,7]", Int4Plan, QuantizationVariants.Int4Symmetric7),
        ("int4 zero point", Int4Plan, QuantizationVariants.Int4Asymmetric),
        ("fp8 e4m3", QuantizationPlan.ForWeights(WeightFormat.Fp8), null),
    ];

    private static readonly (string Name, QuantizationVariants.Reconstruct F)[] MatrixVariants =
    [
        ("bf16", (w, _, _) => QuantizedReferenceStore.RoundToBFloat16((float[])w.Clone())),
        ("int8 (f32 scale, shipped)", QuantizationVariants.Shipped(WeightFormat.Int8)),
        ("int8 (bf16 scale)", QuantizationVariants.Int8Bf16Scale),
        ("int4 [-8,7] (shipped)", QuantizationVariants.Shipped(WeightFormat.Int4)),
        ("int4 [-7,7]", QuantizationVariants.Int4Symmetric7),
        ("int4 zero point", QuantizationVariants.Int4Asymmetric),
        ("fp8 e4m3", QuantizationVariants.Shipped(WeightFormat.Fp8)),
    ];

    [Test]
    public void RandomRealShapedWeights()
    {
        const int rows = 2304, columns = 9216;
        var random = new Random(20241126);
        var normal = new float[rows * columns];
        var heavy = new float[rows * columns];
        for (int i = 0; i < normal.Length; i++)
        {
            normal[i] = 0.02f * Gaussian(random);
            // Student-t with 4 degrees of freedom (variance 2), scaled to standard deviation 0.02.
            double chi2 = 0;
            for (int k = 0; k < 4; k++) { double z = Gaussian(random); chi2 += z * z; }
            heavy[i] = (float)(0.02 / Math.Sqrt(2) * Gaussian(random) / Math.Sqrt(chi2 / 4));
        }
        var report = new StringBuilder($"| format | normal(0, 0.02): rel RMS | max err | SNR | Student-t(4), sd 0.02: rel RMS | max err | SNR |\n|---|---|---|---|---|---|---|\n");
        foreach (var (name, f) in MatrixVariants)
        {
            var a = Distortion.Of(normal, f(normal, rows, columns));
            var b = Distortion.Of(heavy, f(heavy, rows, columns));
            report.AppendLine($"| {name} | {a} | {b} |");
            Assert.That(a.SnrDb, Is.GreaterThan(0));
        }
        Publish($"[out, in] = [{rows}, {columns}]\n{report}");
    }

    [Test]
    public void TinyFixtureLogitsAndGreedy()
    {
        var (pixels, ids, expected) = TinyCase.Load();
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        float[] reference;
        using (var f32 = PaliGemmaEngine.Create(checkpoint.Config, checkpoint.Weights))
            reference = f32.RunPrefill(pixels, ids, ["logits"]).Taps["logits"];
        var report = new StringBuilder("| format | packed-weight rel RMS | logits rel RMS | logits max abs err | greedy tokens = HF |\n|---|---|---|---|---|\n");
        foreach (var (name, plan, reconstruct) in Variants)
        {
            using var store = reconstruct is null
                ? (ITensorStore)new QuantizedReferenceStore(checkpoint.Weights, plan, ownsInner: false)
                : new FunctionTensorStore(checkpoint.Weights, plan, plan.Decoder, reconstruct);
            var weightError = PackedWeightError(checkpoint.Weights, store, plan);
            using var engine = PaliGemmaEngine.Create(checkpoint.Config, store);
            var logits = engine.RunPrefill(pixels, ids, ["logits"]).Taps["logits"];
            var d = Distortion.Of(reference, logits);
            var tokens = engine.Generate(pixels, ids, new GenerationOptions { MaxNewTokens = expected.Length, StopTokenIds = [] }).TokenIds;
            int same = tokens.Zip(expected).TakeWhile(p => p.First == p.Second).Count();
            report.AppendLine($"| {name} | {weightError} | {d.RelativeRms * 100:F3}% | {d.MaxAbsError:E2} | {same}/{expected.Length} |");
            Assert.That(double.IsFinite(d.RelativeRms));
        }
        Publish(report.ToString());
    }

    [Test]
    public void DemoAnswers()
    {
        var report = new StringBuilder("| format | demo answers identical to HF |\n|---|---|\n");
        foreach (var format in new[] { WeightFormat.BF16, WeightFormat.Int8, WeightFormat.Int4, WeightFormat.Fp8 })
        {
            var plan = QuantizationPlan.ForWeights(format);
            var result = DemoRunner.Run(TestPaths.DemoModel(), DeviceKind.Cpu, null, weights: plan);
            report.AppendLine($"| {plan} | {result.Matching}/{result.Outcomes.Count} |");
        }
        // Weight-level comparison of the int4 variants on the demo model's decoder.
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.DemoModel());
        report.AppendLine("\n| int4 variant | demo decoder+embedding packed-weight rel RMS | demo answers identical to HF |\n|---|---|---|");
        foreach (var (name, plan, reconstruct) in Variants.Where(v => v.Plan == Int4Plan))
        {
            using var store = reconstruct is null
                ? (ITensorStore)new QuantizedReferenceStore(checkpoint.Weights, plan, ownsInner: false)
                : new FunctionTensorStore(checkpoint.Weights, plan, plan.Decoder, reconstruct);
            int matching;
            using (var folder = TestPaths.NewTempFolder())
            {
                var writer = new SafetensorsWriter();
                foreach (var n in checkpoint.RequiredTensors)
                    writer.Add(n.Name, TensorDType.F32, n.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(store.ReadFloat32(n.Name).AsSpan()).ToArray());
                writer.Save(folder.File(PaliGemmaCheckpoint.SingleFileName));
                foreach (var file in Directory.GetFiles(TestPaths.DemoModel()).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
                    File.Copy(file, folder.File(Path.GetFileName(file)));
                Directory.CreateDirectory(folder.File("samples"));
                foreach (var file in Directory.GetFiles(TestPaths.DemoModel("samples")))
                    File.Copy(file, Path.Combine(folder.File("samples"), Path.GetFileName(file)));
                matching = DemoRunner.Run(folder.Path, DeviceKind.Cpu, null).Matching;
            }
            report.AppendLine($"| {name} | {PackedWeightError(checkpoint.Weights, store, plan)} | {matching}/33 |");
        }
        Publish(report.ToString());
    }

    private static string PackedWeightError(ITensorStore original, ITensorStore reconstructed, QuantizationPlan plan)
    {
        var a = new List<float>();
        var b = new List<float>();
        foreach (var name in original.Names)
        {
            var info = original.Describe(name);
            if (!plan.FormatFor(name, info.Shape.Length).IsQuantized() && plan.FormatFor(name, info.Shape.Length) != WeightFormat.BF16) continue;
            if (!QuantizationPlan.IsLinearWeight(name, info.Shape.Length) || QuantizationPlan.PartOf(name) is ModelPart.Vision or ModelPart.Projector) continue;
            a.AddRange(original.ReadFloat32(name));
            b.AddRange(reconstructed.ReadFloat32(name));
        }
        return $"{Distortion.Of(a.ToArray(), b.ToArray()).RelativeRms * 100:F3}%";
    }

    /// <summary>Prints the table and keeps it as quantization-report.&lt;test&gt;.md beside the test binaries.</summary>
    private static void Publish(string text)
    {
        TestContext.Out.WriteLine(text);
        File.WriteAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, $"quantization-report.{TestContext.CurrentContext.Test.Name}.md"), text);
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
