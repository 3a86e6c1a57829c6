using NUnit.Framework;
using PaliCuda.Cli;
using PaliCuda.Native.Driver;
using static PaliCuda.Tests.Cli.CliHarness;

namespace PaliCuda.Tests.Cli;

/// <summary>The `palicuda` commands run in-process: outputs, exit codes and the one-line error contract.</summary>
public class CliTests
{
    [Test]
    public async Task InfoReportsTheDeviceStateAndTheEmbeddedKernels()
    {
        var (code, output, _) = await Run("info");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        var probe = CudaDriver.Probe();
        if (probe.Available)
            Assert.That(output, Does.Contain(probe.Devices[0].Name));
        else
            Assert.That(output, Does.Contain("no CUDA device: " + probe.Reason));
        Assert.That(output, Does.Contain("palicuda_smoke_axpy"));
    }

    [Test]
    public async Task CompareOnTheTinyFixturePassesAndEndsWithTheSummaryLine()
    {
        var (code, output, _) = await Run("compare", "--model", TestPaths.Fixture("tiny-pg2"), "--device", "cpu");
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.That(last, Does.Match(@"^compare: (\d+)/\1 tensors within tolerance; greedy (\d+)/\2 tokens match; worst rel err \d\.\d\de[+-]\d\d$"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
    }

    [Test]
    public async Task DemoAnswersEveryPromptExactlyAsHuggingFaceAndDrawsPictures()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "palicuda-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, _) = await Run("demo", "--model", TestPaths.DemoModel(), "--device", "cpu", "--out", outDir);
            Assert.That(output, Does.Contain("demo: 33/33 answers identical to Hugging Face transformers"));
            Assert.That(code, Is.EqualTo(ExitCodes.Success));
            Assert.That(Directory.GetFiles(outDir, "*.boxes.png"), Has.Length.EqualTo(6));
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Test]
    public async Task GenerateStreamsTheAnswer()
    {
        var image = TestPaths.DemoModel("samples", "sample03_200x150.png");
        var (code, output, error) = await Run("generate", "--model", TestPaths.DemoModel(), "--image", image, "--prompt", "caption en", "--device", "cpu");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        // expected.json: HF answers "blue circle, red circle" for this picture and prompt.
        Assert.That(output.Trim(), Is.EqualTo("blue circle, red circle"));
        Assert.That(error, Does.Contain("finished by StopToken"));
    }

    /// <summary>
    /// --temperature/--top-k/--top-p/--seed reach the sampler: the streamed text is the library's for those options and
    /// the same on a second run; another seed reaches the sampler too (it draws another caption on this picture).
    /// </summary>
    [Test]
    public async Task GenerateSamplesWithTheGivenTemperatureTopKTopPAndSeed()
    {
        var image = TestPaths.DemoModel("samples", "sample03_200x150.png");
        string[] args = ["generate", "--model", TestPaths.DemoModel(), "--image", image, "--prompt", "caption en", "--device", "cpu",
            "--max-new-tokens", "8", "--temperature", "1.5", "--top-k", "50", "--top-p", "0.95", "--seed", "7"];
        var first = await Run(args);
        Assert.That(first.Code, Is.EqualTo(ExitCodes.Success), first.Err);
        var second = await Run(args);
        Assert.That(second.Out, Is.EqualTo(first.Out), "same seed, same text");
        var otherSeed = await Run([.. args[..^1], "8"]);
        Assert.That(otherSeed.Code, Is.EqualTo(ExitCodes.Success), otherSeed.Err);
        Assert.That(otherSeed.Out, Is.Not.EqualTo(first.Out), "seed 8 draws another caption than seed 7");

        using var pipeline = PaliCuda.Pipeline.PaliGemmaPipeline.Open(TestPaths.DemoModel());
        var sampling = new PaliCuda.Generation.SamplingOptions { Temperature = 1.5f, TopK = 50, TopP = 0.95f, Seed = 7 };
        var library = pipeline.Run(image, "caption en", new PaliCuda.Generation.GenerationOptions { MaxNewTokens = 8, Sampling = sampling });
        TestContext.Out.WriteLine($"sampled: '{first.Out.Trim()}'");
        Assert.That(first.Out.Trim(), Is.EqualTo(library.Text.Trim()), "the CLI samples exactly as the library does with these options");
    }

    [Test]
    public async Task AnImageThatIsNotAnImageIsABadInputWithOneLine()
    {
        var notImage = TestPaths.DemoModel("config.json");
        var (code, _, error) = await Run("generate", "--model", TestPaths.DemoModel(), "--image", notImage, "--prompt", "caption en", "--device", "cpu");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: ").And.Contain("config.json"));
    }

    [Test]
    public async Task AMissingModelFolderIsABadInput()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));
        var (code, _, error) = await Run("generate", "--model", missing, "--image", "x.png", "--prompt", "p", "--device", "cpu");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.StartWith("error: ").And.Contain(missing));
    }

    [Test]
    public async Task UsageErrorsExitWithTheUsageCode()
    {
        var (code, _, error) = await Run("generate", "--bogus");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("--bogus"));
        var (code2, _, error2) = await Run("compare", "--model", TestPaths.Fixture("tiny-pg2"), "--device", "quantum");
        Assert.That(code2, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error2, Does.Contain("unknown device 'quantum'").And.Not.Contain("Parameter"));
    }

    [Test]
    public async Task VerboseAddsTheStackTrace()
    {
        var notImage = TestPaths.DemoModel("config.json");
        var (_, _, error) = await Run("generate", "--model", TestPaths.DemoModel(), "--image", notImage, "--prompt", "p", "--device", "cpu", "--verbose");
        Assert.That(error, Does.Contain("   at "));
    }
}
