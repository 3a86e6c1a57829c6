using NUnit.Framework;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Generation;

public class GenerationSlotKeyTests
{
    private const int Limit = 8192;

    [TestCase(22, 12, 32, 256, 32, 256)]
    [TestCase(32, 12, 32, 256, 32, 256)]
    [TestCase(33, 12, 32, 256, 64, 256)]
    [TestCase(250, 10, 32, 256, 256, 512)]
    [TestCase(22, 0, 32, 256, 32, 256)]
    [TestCase(22, 12, 1, 1, 22, 34)]
    [TestCase(22, 0, 1, 1, 22, 23)]
    public void PromptAndCacheAreRoundedUpToTheirBuckets(int prompt, int maxNew, int prefillBucket, int kvBucket, int expectedPrompt, int expectedCache)
    {
        var key = GenerationSlotKey.For(prompt, maxNew, Limit, prefillBucket, kvBucket);
        Assert.That((key.PromptCapacity, key.CacheCapacity), Is.EqualTo((expectedPrompt, expectedCache)));
        Assert.That(key.PromptCapacity, Is.GreaterThanOrEqualTo(prompt));
        Assert.That(key.CacheCapacity, Is.GreaterThanOrEqualTo(Math.Max(key.PromptCapacity, prompt + Math.Max(1, maxNew))));
        Assert.That(key.DeviceSampling, Is.False, "greedy unless asked");
    }

    [Test]
    public void RoundingNeverPassesTheTokenLimit()
    {
        const int limit = 300;
        var nearLimit = GenerationSlotKey.For(290, 10, limit, 32, 256);
        Assert.That((nearLimit.PromptCapacity, nearLimit.CacheCapacity), Is.EqualTo((limit, limit)), "both classes clamp to the limit");
        var roomy = GenerationSlotKey.For(40, 8, limit, 32, 256);
        Assert.That((roomy.PromptCapacity, roomy.CacheCapacity), Is.EqualTo((64, 256)));
    }

    [Test]
    public void PromptsOfNearbyLengthsShareAClass()
    {
        var keys = Enumerable.Range(17, 16).Select(l => GenerationSlotKey.For(l, 12, Limit, 32, 256)).Distinct().ToList();
        Assert.That(keys, Has.Count.EqualTo(1), "lengths 17..32 with 12 new tokens");
        Assert.That(GenerationSlotKey.For(33, 12, Limit, 32, 256), Is.Not.EqualTo(keys[0]));
    }
}
