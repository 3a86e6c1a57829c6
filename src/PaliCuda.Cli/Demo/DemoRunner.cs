using PaliCuda.Generation;
using PaliCuda.Pipeline;
using PaliCuda.Quantization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PaliCuda.Cli.Demo;

/// <summary>
/// Runs every prompt of the demo model's samples through the pipeline, compares with Hugging Face's answers, and
/// writes each picture with its boxes (answers in red, ground truth in thin green) as a PNG.
/// </summary>
public static class DemoRunner
{
    /// <summary>Where the CLI's build output keeps the demo checkpoint.</summary>
    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "DemoAssets", "demo-model");

    private static readonly Rgb24 AnswerColor = new(220, 30, 30);
    private static readonly Rgb24 TruthColor = new(30, 160, 60);

    public static DemoReport Run(string modelDirectory, DeviceKind device, string? outputDirectory,
        Action<DemoOutcome>? onOutcome = null, CancellationToken cancellationToken = default, QuantizationPlan? weights = null)
    {
        var expectations = DemoExpectations.Read(modelDirectory);
        using var pipeline = PaliGemmaPipeline.Open(modelDirectory, new EngineOptions { Device = device, Weights = weights });
        var outcomes = new List<DemoOutcome>();
        var pictures = new List<string>();
        foreach (var sample in expectations.Samples)
        {
            var results = new List<PipelineResult>();
            foreach (var c in sample.Cases)
            {
                var result = pipeline.Run(sample.ImagePath, c.Prompt, new GenerationOptions { MaxNewTokens = expectations.MaxNewTokens },
                    cancellationToken: cancellationToken);
                var outcome = new DemoOutcome(sample, c, result, result.InputIds.SequenceEqual(c.InputIds) && result.Generation.TokenIds.SequenceEqual(c.GeneratedIds));
                outcomes.Add(outcome);
                results.Add(result);
                onOutcome?.Invoke(outcome);
            }
            if (outputDirectory is not null) pictures.Add(DrawPicture(sample, results, outputDirectory));
        }
        return new DemoReport(pipeline.Engine.Backend.Name, outcomes, pictures);
    }

    private static string DrawPicture(DemoSample sample, IReadOnlyList<PipelineResult> results, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        using var image = Image.Load<Rgb24>(sample.ImagePath);
        foreach (var o in sample.Objects)
            BoxPainter.DrawBox(image, o.XMin, o.YMin, o.XMax, o.YMax, TruthColor, thickness: 1);
        foreach (var box in results.SelectMany(r => r.Boxes))
            BoxPainter.DrawBox(image, (float)box.XMin, (float)box.YMin, (float)box.XMax, (float)box.YMax, AnswerColor, thickness: 2);
        var path = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(sample.ImagePath) + ".boxes.png");
        image.SaveAsPng(path);
        return path;
    }
}

/// <summary>One prompt's answer and whether it is exactly Hugging Face's (same prompt ids, same generated ids).</summary>
public sealed record DemoOutcome(DemoSample Sample, DemoCase Expected, PipelineResult Result, bool MatchesHf);

/// <summary>All answers of a demo run and the pictures written.</summary>
public sealed record DemoReport(string Device, IReadOnlyList<DemoOutcome> Outcomes, IReadOnlyList<string> Pictures)
{
    public int Matching => Outcomes.Count(o => o.MatchesHf);
    public bool AllMatch => Matching == Outcomes.Count;
}
