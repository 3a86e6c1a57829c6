using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Graph;
using PaliCuda.Pipeline;
using PaliCuda.Text;

namespace PaliCuda.Tests.Hostile;

/// <summary>
/// Prompt bounds at the pipeline: characters before tokenizing, then tokens against the model's positions, and the
/// longest text the limit lets through still tokenizes quickly (no quadratic blow-up hides under the limit).
/// </summary>
public class PromptLimitTests
{
    private static PaliGemmaPipeline? _pipeline;
    private static PaliGemmaPipeline Pipeline => _pipeline ??= PaliGemmaPipeline.Open(TestPaths.DemoModel());

    /// <summary>Seconds the worst prompt under the default limit may take to tokenize (the demo tokenizer takes under 30 ms on 2 cores).</summary>
    private const double MaxTokenizeSeconds = 10;

    [OneTimeTearDown] public void Dispose() => _pipeline?.Dispose();

    [Test]
    public void TheCharacterLimitIsCheckedBeforeTokenizing()
    {
        int max = EngineLimits.Default.MaxPromptChars;
        var e = Assert.Throws<PromptTooLongException>(() => Pipeline.BuildInputIds(new string('a', max + 1), 8))!;
        Assert.That(e.CharacterCount, Is.EqualTo(max + 1));
        Assert.That(e.MaxCharacters, Is.EqualTo(max));
        Assert.That(e.Message, Does.Contain("EngineLimits.MaxPromptChars"));
    }

    [Test]
    public void TokensAreCheckedAgainstThePositionsLeftAfterTheNewTokens()
    {
        int positions = Pipeline.Engine.Config.Text.MaxPositionEmbeddings;
        var e = Assert.Throws<PromptTooLongException>(() => Pipeline.BuildInputIds(string.Join(' ', Enumerable.Repeat("cat", positions)), 8))!;
        Assert.That(e.MaxTokens, Is.EqualTo(positions - 8));
        Assert.That(e.TokenCount, Is.GreaterThan(positions - 8));
        Assert.That(e.ImageTokenCount, Is.EqualTo(Pipeline.Engine.Config.NumImageTokens));
        var m = Assert.Throws<ModelInputException>(() => Pipeline.BuildInputIds("cat", positions))!;
        Assert.That(m.Message, Does.Contain($"{positions} new tokens do not fit"));
        Assert.Throws<ModelInputException>(() => Pipeline.BuildInputIds("cat", -1));
    }

    [Test]
    public void ALimitFromTheOptionsIsHonoured()
    {
        using var small = PaliGemmaPipeline.Open(TestPaths.DemoModel(), new EngineOptions { Limits = new EngineLimits { MaxPromptChars = 5 } });
        Assert.That(small.BuildInputIds("12345", 1), Is.Not.Empty);
        Assert.Throws<PromptTooLongException>(() => small.BuildInputIds("123456", 1));
    }

    [TestCase("x")]
    [TestCase("猫")]
    [TestCase("ab ")]
    [TestCase("é\t")]
    public void TheLongestAllowedPromptTokenizesQuickly(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, EngineLimits.Default.MaxPromptChars / unit.Length));
        var clock = Stopwatch.StartNew();
        var ids = Pipeline.Tokenizer.Encode(text);
        clock.Stop();
        TestContext.Out.WriteLine($"{text.Length} chars of '{unit}' -> {ids.Length} tokens in {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.That(ids, Is.Not.Empty);
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(MaxTokenizeSeconds));
    }
}
