using NUnit.Framework;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Generation;

public class TokenSamplerTests
{
    private static float[] RandomLogits(int seed, int n)
    {
        TestContext.Out.WriteLine($"seed {seed}");
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 6 - 3)).ToArray();
    }

    private static int[] Draw(SamplingOptions o, float[] logits, int count)
    {
        var s = new TokenSampler(o);
        return Enumerable.Range(0, count).Select(_ => s.Next(logits)).ToArray();
    }

    [TestCase(1)]
    [TestCase(2)]
    public void SameSeedGivesTheSameTokensAndAnotherSeedDoesNot(int seed)
    {
        var logits = RandomLogits(seed, 50);
        var o = new SamplingOptions { Temperature = 1.3f, TopK = 20, TopP = 0.95f, Seed = 42 };
        Assert.That(Draw(o, logits, 64), Is.EqualTo(Draw(o, logits, 64)));
        Assert.That(Draw(o with { Seed = 43 }, logits, 64), Is.Not.EqualTo(Draw(o, logits, 64)));
    }

    [TestCase(3)]
    [TestCase(4)]
    public void TopKOfOneAndTemperatureZeroAreGreedy(int seed)
    {
        var logits = RandomLogits(seed, 40);
        var argmax = Array.IndexOf(logits, logits.Max());
        Assert.That(Draw(new SamplingOptions { TopK = 1, Temperature = 5f, Seed = 9 }, logits, 20), Is.All.EqualTo(argmax));
        Assert.That(Draw(new SamplingOptions { Temperature = 0f, Seed = 9 }, logits, 5), Is.All.EqualTo(argmax));
    }

    [Test]
    public void GreedyTakesTheFirstOfTiedMaxima() =>
        Assert.That(TokenSampler.ArgMax([0f, 2f, 1f, 2f]), Is.EqualTo(1));

    [Test]
    public void TopKKeepsOnlyTheKMostLikely()
    {
        float[] logits = [0f, 3f, 1f, 2.9f, -1f];
        var seen = Draw(new SamplingOptions { TopK = 2, Seed = 5 }, logits, 400).Distinct().Order().ToArray();
        Assert.That(seen, Is.EqualTo(new[] { 1, 3 }));
    }

    [Test]
    public void TopPEdgeCases()
    {
        // Probabilities 0.5, 0.25, 0.125, 0.125 (ln-spaced logits).
        float[] logits = [MathF.Log(4), MathF.Log(2), 0f, 0f];
        // p below the top probability keeps just the top id.
        Assert.That(Draw(new SamplingOptions { TopP = 0.3f, Seed = 1 }, logits, 200), Is.All.EqualTo(0));
        // p exactly 0.5: mass before id 1 is 0.5, not below p, so id 1 is dropped too (HF removes cumulative ≤ 1 − p).
        Assert.That(Draw(new SamplingOptions { TopP = 0.5f, Seed = 1 }, logits, 200), Is.All.EqualTo(0));
        // p just above 0.5 admits the second id only.
        Assert.That(Draw(new SamplingOptions { TopP = 0.6f, Seed = 1 }, logits, 400).Distinct().Order(), Is.EqualTo(new[] { 0, 1 }));
        // p = 1 keeps everything.
        Assert.That(Draw(new SamplingOptions { TopP = 1f, Seed = 1 }, logits, 600).Distinct().Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
    }

    [Test]
    public void SamplingFrequenciesFollowTheSoftmax()
    {
        float[] logits = [MathF.Log(3), 0f];
        var draws = Draw(new SamplingOptions { Seed = 77 }, logits, 4000);
        var share = draws.Count(d => d == 0) / 4000.0;
        // Binomial σ = √(0.75·0.25/4000) ≈ 0.0068; 5σ ≈ 0.035.
        Assert.That(share, Is.EqualTo(0.75).Within(0.035));
    }

    [Test]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(new SamplingOptions { TopP = 0f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(new SamplingOptions { TopP = 1.5f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(new SamplingOptions { TopK = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(new SamplingOptions { Temperature = -0.1f }));
    }
}
