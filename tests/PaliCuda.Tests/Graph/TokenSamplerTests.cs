using NUnit.Framework;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Graph;

/// <summary>
/// <see cref="TokenSampler"/>, the definition of sampling and the CPU reference: its draw against the exact distribution
/// (computed in double, independently), and the explicit rules: top-k, top-p, ties, NaN, infinities, u at its ends.
/// </summary>
public class TokenSamplerTests
{
    /// <summary>
    /// Relative error of <see cref="TokenSampler.Exp"/> against Math.Exp on [−64, 0]: the Taylor truncation is below
    /// 6·10⁻⁹ (0.1 ulp), the 8 rounded fma steps of Horner's rule with |r| ≤ ln2/2 add at most ≈ 1.5 ulp (each later
    /// rounding is damped by r), the final scaling by 2^k is exact: 2 ulps of fp32, 2·2⁻²⁴.
    /// </summary>
    private const double ExpRelative = 2 * 5.9604644775390625e-8;

    /// <summary>
    /// How far a share of a fine grid of u may sit from the exact probability: each kept id owns one interval of u,
    /// whose two ends the grid of spacing 1/N places within one step (2/N), plus the fixed-point mass error: every w is
    /// within <see cref="ExpRelative"/> relative and 2⁻⁴⁰ absolute (truncation), against a total mass ≥ 1.
    /// </summary>
    private static double GridBound(int n, int kept) => 2.0 / n + 2 * ExpRelative + kept * Math.Pow(2, -40);

    /// <summary>The standard normal quantile for a one-sided 10⁻⁶ tail: a correct sampler fails the χ² test once in a million seeds.</summary>
    private const double ChiSquareZ = 4.7534;

    private static readonly SampleParameters[] Settings =
    [
        new(1f, 0, 1f),
        new(0.3f, 0, 1f),
        new(2f, 0, 1f),
        new(1f, 5, 1f),
        new(1f, 0, 0.9f),
        new(0.7f, 8, 0.6f),
        new(2f, 3, 0.1f),
    ];

    private static float[] RandomLogits(int seed, int n, double spread = 3)
    {
        TestContext.Out.WriteLine($"seed {seed}");
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * spread)).ToArray();
    }

    private static int Draw(float[] logits, SampleParameters p, float u) => TokenSampler.Choose(logits, p, u).Token;

    [TestCaseSource(nameof(Settings))]
    public void SharesOfAFineGridOfUEqualTheExactProbabilities(SampleParameters p)
    {
        const int n = 1 << 16;
        var logits = RandomLogits(101, 24);
        var (exact, margin) = ExactSampleDistribution.Of(logits, p);
        Assert.That(margin, Is.GreaterThan(1e-4), "the nucleus cut is not a rounding question for these logits");
        var counts = new int[logits.Length];
        for (var j = 0; j < n; j++) counts[Draw(logits, p, j / (float)n)]++;
        var kept = exact.Count(q => q > 0);
        var bound = GridBound(n, kept);
        for (var i = 0; i < logits.Length; i++)
            Assert.That(counts[i] / (double)n, Is.EqualTo(exact[i]).Within(bound), $"id {i} ({p})");
        Assert.That(TokenSampler.Choose(logits, p, 0.5f).Kept, Is.EqualTo(kept), "kept-set size");
    }

    [TestCaseSource(nameof(Settings))]
    public void RandomDrawsPassAChiSquareTestAgainstTheExactProbabilities(SampleParameters p)
    {
        const int draws = 20_000;
        var logits = RandomLogits(202, 40);
        var (exact, _) = ExactSampleDistribution.Of(logits, p);
        var random = new DeterministicRandom(303);
        var counts = new int[logits.Length];
        for (var j = 0; j < draws; j++) counts[Draw(logits, p, random.NextSingle())]++;
        var kept = Enumerable.Range(0, logits.Length).Where(i => exact[i] > 0).ToArray();
        Assert.That(Enumerable.Range(0, logits.Length).Where(i => exact[i] == 0).Sum(i => counts[i]), Is.Zero, "draws outside the kept set");
        if (kept.Length == 1)
        {
            Assert.That(counts[kept[0]], Is.EqualTo(draws));
            return;
        }
        var chi = kept.Sum(i => Math.Pow(counts[i] - draws * exact[i], 2) / (draws * exact[i]));
        // Wilson–Hilferty: the χ² quantile for df degrees of freedom from the normal one.
        double df = kept.Length - 1, h = 2 / (9 * df);
        var critical = df * Math.Pow(1 - h + ChiSquareZ * Math.Sqrt(h), 3);
        TestContext.Out.WriteLine($"{p}: {kept.Length} kept ids, χ² = {chi:F1}, critical {critical:F1}");
        Assert.That(chi, Is.LessThan(critical));
    }

    [Test]
    public void TopKKeepsTheKLargestAndTheLowestIdsAmongTies()
    {
        float[] logits = [0f, 3f, 1f, 2.9f, -1f];
        var p = new SampleParameters(1f, 2, 1f);
        Assert.That(Enumerable.Range(0, 256).Select(j => Draw(logits, p, j / 256f)).Distinct().Order(), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(TokenSampler.Choose(logits, p, 0f).Kept, Is.EqualTo(2));
        // Five equal logits, k = 3: ids 0, 1, 2, each a third of the draws.
        float[] flat = [2f, 2f, 2f, 2f, 2f];
        var k3 = new SampleParameters(1f, 3, 1f);
        var shares = Enumerable.Range(0, 300).Select(j => Draw(flat, k3, (j + 0.5f) / 300f)).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(shares, Is.EquivalentTo(new Dictionary<int, int> { [0] = 100, [1] = 100, [2] = 100 }));
        // k at or above the vocabulary keeps everything.
        Assert.That(TokenSampler.Choose(logits, new SampleParameters(1f, 99, 1f), 0.5f).Kept, Is.EqualTo(5));
    }

    [Test]
    public void TopPKeepsIdsWhileTheMassBeforeThemIsBelowP()
    {
        // Probabilities 0.5, 0.25, 0.125, 0.125 (ln-spaced logits).
        float[] logits = [MathF.Log(4), MathF.Log(2), 0f, 0f];
        int Kept(float topP) => TokenSampler.Choose(logits, new SampleParameters(1f, 0, topP), 0.5f).Kept;
        Assert.That(Kept(0.3f), Is.EqualTo(1), "p below the top probability keeps the top id");
        Assert.That(Kept(0.6f), Is.EqualTo(2));
        Assert.That(Kept(0.8f), Is.EqualTo(3), "ties: id 2 before id 3");
        Assert.That(Kept(1f), Is.EqualTo(4));
        // Four equal logits (equal masses, so exact): p = 0.5 keeps ids 0 and 1, the mass before id 2 being exactly p·S.
        Assert.That(TokenSampler.Choose([1f, 1f, 1f, 1f], new SampleParameters(1f, 0, 0.5f), 0.99f), Is.EqualTo(new SampleChoice(1, 2)));
    }

    [Test]
    public void TheDrawWalksKeptIdsInIdOrder()
    {
        // Masses 1 : 3 over ids 0 and 1: u below a quarter gives id 0, from a quarter on id 1.
        float[] logits = [0f, MathF.Log(3)];
        var p = new SampleParameters(1f, 0, 1f);
        Assert.That(Draw(logits, p, 0f), Is.EqualTo(0));
        Assert.That(Draw(logits, p, 0.2499f), Is.EqualTo(0));
        Assert.That(Draw(logits, p, 0.2501f), Is.EqualTo(1));
        Assert.That(Draw(logits, p, 1f - 1f / (1 << 24)), Is.EqualTo(1));
        // u outside [0, 1) is clamped, NaN read as 0.
        Assert.That(Draw(logits, p, 1f), Is.EqualTo(1));
        Assert.That(Draw(logits, p, float.NaN), Is.EqualTo(0));
        Assert.That(Draw(logits, p, -3f), Is.EqualTo(0));
    }

    [Test]
    public void NaNNeverWinsAndNonFiniteLogitsFollowTheOrder()
    {
        var p = new SampleParameters(1f, 0, 1f);
        float[] withNaN = [float.NaN, 1f, float.NaN, 1f];
        Assert.That(Enumerable.Range(0, 64).Select(j => Draw(withNaN, p, j / 64f)).Distinct().Order(), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(TokenSampler.Choose(withNaN, new SampleParameters(1f, 3, 1f), 0f).Kept, Is.EqualTo(2), "NaN is no candidate for top-k either");
        Assert.That(TokenSampler.Choose([float.NaN, float.NaN], p, 0.7f), Is.EqualTo(new SampleChoice(0, 0)), "nothing to draw: id 0, as the argmax");
        // +∞ takes all the mass; −∞ none unless every logit is −∞.
        Assert.That(Enumerable.Range(0, 64).Select(j => Draw([5f, float.PositiveInfinity, 7f], p, j / 64f)).Distinct(), Is.EqualTo(new[] { 1 }));
        Assert.That(Enumerable.Range(0, 64).Select(j => Draw([float.NegativeInfinity, 0f, float.NegativeInfinity], p, j / 64f)).Distinct(), Is.EqualTo(new[] { 1 }));
        Assert.That(Enumerable.Range(0, 64).Select(j => Draw([float.NegativeInfinity, float.NegativeInfinity], p, j / 64f)).Distinct().Order(), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void IdsFarBelowTheMaximumGetNoMass()
    {
        // 27.7·T below the maximum is where w drops under 2⁻⁴⁰.
        Assert.That(TokenSampler.Mass(-28f, 0f, 1f), Is.Zero);
        Assert.That(TokenSampler.Mass(-27f, 0f, 1f), Is.GreaterThan(0));
        Assert.That(TokenSampler.Mass(0f, 0f, 1f), Is.EqualTo(1UL << TokenSampler.MassFractionBits));
        Assert.That(TokenSampler.Mass(-0f, 0f, 1f), Is.EqualTo(1UL << TokenSampler.MassFractionBits), "−0 equals the maximum +0");
    }

    [Test]
    public void ExpIsWithinTwoUlpsOfMathExp()
    {
        Assert.That(TokenSampler.Exp(0f), Is.EqualTo(1f));
        Assert.That(TokenSampler.Exp(TokenSampler.ExpCutoff - 0.01f), Is.Zero);
        Assert.That(TokenSampler.Exp(float.NegativeInfinity), Is.Zero);
        double worst = 0;
        for (var i = 0; i <= 200_000; i++)
        {
            var x = TokenSampler.ExpCutoff * i / 200_000f;
            worst = Math.Max(worst, Math.Abs(TokenSampler.Exp(x) / Math.Exp(x) - 1));
        }
        TestContext.Out.WriteLine($"largest relative error {worst:E3} ({worst / 5.9604644775390625e-8:F2} · 2⁻²⁴)");
        Assert.That(worst, Is.LessThanOrEqualTo(ExpRelative));
    }

    [Test]
    public void ThresholdIsTheExactCeilingOfPTimesTheMass()
    {
        var r = new Random(404);
        TestContext.Out.WriteLine("seed 404");
        float[] special = [1f, 0.5f, float.Epsilon, 1e-30f, 0.999999940f, 0.1f];
        foreach (var p in special.Concat(Enumerable.Range(0, 2000).Select(_ => (float)r.NextDouble())).Where(p => p > 0))
        {
            // Below 2^29 the product of a 24-bit p and S is exact in double.
            var total = (ulong)r.NextInt64(1, 1L << 29);
            Assert.That(TokenSampler.Threshold(p, total), Is.EqualTo((ulong)Math.Ceiling((double)p * total)), $"p {p:R}, S {total}");
        }
        Assert.That(TokenSampler.Threshold(0.5f, (1UL << 62) + 1), Is.EqualTo((1UL << 61) + 1));
        Assert.That(TokenSampler.Threshold(float.Epsilon, 1UL << 62), Is.EqualTo(1UL));
    }

    [Test]
    public void InvalidParametersAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Choose([1f], new SampleParameters(1f, 0, 0f), 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Choose([1f], new SampleParameters(1f, 0, 1.5f), 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Choose([1f], new SampleParameters(1f, -1, 1f), 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Choose([1f], new SampleParameters(0f, 0, 1f), 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Choose([1f], new SampleParameters(float.PositiveInfinity, 0, 1f), 0f));
        Assert.Throws<ArgumentException>(() => TokenSampler.Choose([], new SampleParameters(1f, 0, 1f), 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 0f }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = -0.1f }.Validate());
        Assert.That(new SamplingOptions { TopK = 1, Temperature = 2f }.Parameters, Is.Null, "top-k 1 is greedy: the argmax op");
        Assert.That(new SamplingOptions { Temperature = 0f }.Parameters, Is.Null);
    }

    [Test]
    public void TheUniformStreamIsSeededAndNeverReachesOne()
    {
        var a = new DeterministicRandom(42);
        var b = new DeterministicRandom(42);
        var values = Enumerable.Range(0, 10_000).Select(_ => a.NextSingle()).ToArray();
        Assert.That(Enumerable.Range(0, 10_000).Select(_ => b.NextSingle()), Is.EqualTo(values));
        Assert.That(values, Has.All.InRange(0f, 1f - 1f / (1 << 24)));
        Assert.That(values.Distinct().Count(), Is.GreaterThan(9_990));
    }
}
