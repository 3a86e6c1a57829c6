using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Cli;
using static PaliCuda.Tests.Cli.CliHarness;

namespace PaliCuda.Tests.Cli;

/// <summary><c>palicuda quantize</c> and <c>--weights</c> end to end, in-process.</summary>
public class QuantizeCliTests
{
    [Test]
    public async Task AnInt8QuantizedDemoModelStillGivesHuggingFacesAnswer()
    {
        using var folder = TestPaths.NewTempFolder();
        var (code, output, error) = await Run("quantize", "--model", TestPaths.DemoModel(), "--out", folder.Path, "--weights", "int8");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(output, Does.StartWith("quantize: wrote ").And.Contain("decoder=int8,embedding=int8"));
        Assert.That(File.Exists(Path.Combine(folder.Path, "tokenizer.model")));

        var image = TestPaths.DemoModel("samples", "sample03_200x150.png");
        var (genCode, answer, genError) = await Run("generate", "--model", folder.Path, "--image", image, "--prompt", "caption en", "--device", "cpu");
        Assert.That(genCode, Is.EqualTo(ExitCodes.Success), genError);
        // expected.json: HF answers "blue circle, red circle" for this picture and prompt (int8 keeps all 33 demo answers).
        Assert.That(answer.Trim(), Is.EqualTo("blue circle, red circle"));

        var (againCode, _, againError) = await Run("quantize", "--model", folder.Path, "--out", folder.File("again"), "--weights", "int4");
        Assert.That(againCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(againError, Does.StartWith("error: the checkpoint is already quantized"));
    }

    [Test]
    public async Task WeightsOnGenerateQuantizesAtLoad()
    {
        var image = TestPaths.DemoModel("samples", "sample03_200x150.png");
        var (code, answer, error) = await Run("generate", "--model", TestPaths.DemoModel(), "--image", image, "--prompt", "caption en", "--device", "cpu", "--weights", "int8");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(answer.Trim(), Is.EqualTo("blue circle, red circle"));
    }

    [Test]
    public async Task AnUnknownOrMissingFormatIsAUsageError()
    {
        using var folder = TestPaths.NewTempFolder();
        var (code, _, error) = await Run("quantize", "--model", TestPaths.DemoModel(), "--out", folder.Path, "--weights", "int3");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("unknown weight format 'int3'"));
        var (missingCode, _, _) = await Run("quantize", "--model", TestPaths.DemoModel(), "--out", folder.Path);
        Assert.That(missingCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(File.Exists(Path.Combine(folder.Path, PaliGemmaCheckpoint.SingleFileName)), Is.False);
    }
}
