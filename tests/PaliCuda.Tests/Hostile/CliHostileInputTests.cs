using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using PaliCuda.Cli;
using static PaliCuda.Tests.Cli.CliHarness;

namespace PaliCuda.Tests.Hostile;

/// <summary>
/// `palicuda generate` against a corpus of broken inputs built from the demo model: every one ends with exactly one line
/// <c>error: &lt;what&gt; (&lt;where&gt;)</c> on stderr, no stack trace, and its documented exit code.
/// </summary>
public class CliHostileInputTests
{
    private TempFolder _temp = null!;
    private string _model = null!;
    private string _image = null!;

    [SetUp]
    public void CopyDemoModel()
    {
        _temp = TestPaths.NewTempFolder();
        _model = Directory.CreateDirectory(_temp.File("model")).FullName;
        foreach (var f in new[] { "config.json", "generation_config.json", "model.safetensors", "tokenizer.model" })
            File.Copy(TestPaths.DemoModel(f), Path.Combine(_model, f));
        _image = TestPaths.DemoModel("samples", "sample03_200x150.png");
    }

    [TearDown] public void DeleteFolder() => _temp.Dispose();

    private Task<(int Code, string Out, string Err)> Generate(string? model = null, string? image = null, string prompt = "caption en", params string[] extra) =>
        Run(["generate", "--model", model ?? _model, "--image", image ?? _image, "--prompt", prompt, "--device", "cpu", .. extra]);

    /// <summary>One line, the contract's shape, the expected code, and the words that say what and where.</summary>
    private static void AssertOneLineError((int Code, string Out, string Err) run, int code, params string[] mentions)
    {
        var lines = run.Err.TrimEnd('\n', '\r').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.Match(@"^error: .+ \(.+\)$"), "error: <what> (<where>)");
        Assert.That(run.Err, Does.Not.Contain("   at "), "no stack trace without --verbose");
        Assert.That(run.Code, Is.EqualTo(code), run.Err);
        foreach (var m in mentions) Assert.That(lines[0], Does.Contain(m));
    }

    private string Corrupt(string file, Func<byte[], byte[]> change)
    {
        var path = Path.Combine(_model, file);
        File.WriteAllBytes(path, change(File.ReadAllBytes(path)));
        return path;
    }

    [Test]
    public async Task TheIntactCopyAnswers()
    {
        var run = await Generate();
        Assert.That(run.Code, Is.EqualTo(ExitCodes.Success), run.Err);
        Assert.That(run.Out.Trim(), Is.EqualTo("blue circle, red circle"));
    }

    [Test]
    public async Task EmptyFolder()
    {
        var empty = Directory.CreateDirectory(_temp.File("empty")).FullName;
        AssertOneLineError(await Generate(model: empty), ExitCodes.BadInput, "tokenizer.model", "does not exist");
    }

    [Test]
    public async Task TruncatedWeights()
    {
        var path = Corrupt("model.safetensors", b => b[..(b.Length / 2)]);
        AssertOneLineError(await Generate(), ExitCodes.BadInput, path, "beyond the data section");
    }

    [Test]
    public async Task WeightsHeaderWithAnUnknownDtype()
    {
        var path = Corrupt("model.safetensors", b =>
        {
            var text = Encoding.Latin1.GetString(b, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(b));
            var at = text.IndexOf("\"F32\"", StringComparison.Ordinal);
            Encoding.Latin1.GetBytes("\"Q32\"").CopyTo(b, 8 + at);
            return b;
        });
        AssertOneLineError(await Generate(), ExitCodes.BadInput, path, "unknown dtype 'Q32'", "tensor '");
    }

    [Test]
    public async Task MissingWeights()
    {
        File.Delete(Path.Combine(_model, "model.safetensors"));
        AssertOneLineError(await Generate(), ExitCodes.BadInput, "no model.safetensors or model.safetensors.index.json");
    }

    [Test]
    public async Task AbsurdConfigValue()
    {
        var path = Corrupt("config.json", b => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 4000000000")));
        AssertOneLineError(await Generate(), ExitCodes.BadInput, path, "text_config.num_hidden_layers", "absurdly large");
    }

    [Test]
    public async Task ConfigThatIsNotJson()
    {
        var path = Corrupt("config.json", b => b[..(b.Length / 3)]);
        AssertOneLineError(await Generate(), ExitCodes.BadInput, path, "not valid JSON");
    }

    [Test]
    public async Task TokenizerThatIsNoise()
    {
        var path = Corrupt("tokenizer.model", b => new Random(5).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 4096));
        AssertOneLineError(await Generate(), ExitCodes.BadInput, path, "tokenizer model cannot be used");
    }

    [TestCase("empty.png", new byte[0], "the file is empty")]
    [TestCase("text.png", new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, "not an image")]
    public async Task ImagesThatAreNotImages(string name, byte[] bytes, string problem)
    {
        var path = _temp.Write(name, bytes);
        AssertOneLineError(await Generate(image: path), ExitCodes.BadInput, path, problem);
    }

    [Test]
    public async Task TruncatedAndNoiseImages()
    {
        var png = File.ReadAllBytes(_image);
        var truncated = _temp.Write("half.png", png[..(png.Length / 2)]);
        AssertOneLineError(await Generate(image: truncated), ExitCodes.BadInput, truncated, "corrupt or truncated");
        var noise = _temp.Write("noise.jpg", new Random(9).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 2048));
        AssertOneLineError(await Generate(image: noise), ExitCodes.BadInput, noise, "image cannot be used");
    }

    [Test]
    public async Task HugeDimensionImageIsRefusedFromItsHeader()
    {
        var path = _temp.Write("huge.png", HostilePng.HeaderOnly(100_000, 100_000));
        AssertOneLineError(await Generate(image: path), ExitCodes.BadInput, path, "width 100000 exceeds the limit of 16384");
    }

    [Test]
    public async Task PromptLongerThanTheContext()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("describe", 600));
        AssertOneLineError(await Generate(prompt: prompt), ExitCodes.BadInput, "The prompt needs", "(prompt)");
    }

    [Test]
    public async Task PromptOverTheCharacterLimitIsRefusedBeforeTokenizing()
    {
        var prompt = new string('x', PaliCuda.EngineLimits.Default.MaxPromptChars + 1);
        AssertOneLineError(await Generate(prompt: prompt), ExitCodes.BadInput, $"{prompt.Length} characters", "MaxPromptChars");
    }

    [Test]
    public async Task MoreNewTokensThanTheModelHasPositions()
    {
        AssertOneLineError(await Generate(extra: ["--max-new-tokens", "100000"]), ExitCodes.BadInput, "100000 new tokens do not fit", "512 positions");
    }

    [TestCase("--max-new-tokens", "0")]
    [TestCase("--max-new-tokens", "2000000")]
    [TestCase("--temperature", "-1")]
    [TestCase("--temperature", "NaN")]
    [TestCase("--temperature", "1000")]
    [TestCase("--top-k", "-3")]
    [TestCase("--top-p", "0")]
    [TestCase("--top-p", "1.5")]
    public async Task OutOfRangeArgumentsAreUsageErrorsNamingTheOption(string option, string value)
    {
        // A model folder that does not exist: the range check must come before any file is touched.
        var run = await Generate(model: _temp.File("not-there"), extra: [option, value]);
        AssertOneLineError(run, ExitCodes.Usage, option, "must be", "(command line)");
    }

    [Test]
    public async Task HelpDocumentsTheExitCodes()
    {
        var run = await Run("--help");
        Assert.That(run.Code, Is.EqualTo(ExitCodes.Success));
        foreach (var code in new[] { ExitCodes.Usage, ExitCodes.BadInput, ExitCodes.DeviceError, ExitCodes.InternalError, ExitCodes.Cancelled })
            Assert.That(run.Out, Does.Contain($"{code} "));
        Assert.That(run.Out, Does.Contain("error: <what> (<where>)"));
    }
}
