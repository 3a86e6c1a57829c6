using NUnit.Framework;
using PaliCuda.Benchmarking;
using PaliCuda.Numerics;

namespace PaliCuda.Tests.Benchmarking;

public class RandomWeightStoreTests
{
    [Test]
    public void WeightsAreDeterministicBf16AndRangedReadsAgreeWithWholeReads()
    {
        using var a = new RandomWeightStore(BenchmarkModels.Tiny, seed: 7);
        using var b = new RandomWeightStore(BenchmarkModels.Tiny, seed: 7);
        using var other = new RandomWeightStore(BenchmarkModels.Tiny, seed: 8);
        foreach (var name in a.Names)
        {
            var whole = a.ReadFloat32(name);
            Assert.That(b.ReadFloat32(name), Is.EqualTo(whole), name);
            Assert.That(whole.All(v => float.IsFinite(v) && (float)(BFloat16)v == v), name + " holds finite bf16 values");
            var part = new float[Math.Min(5, whole.Length)];
            a.ReadFloat32(name, whole.Length - part.Length, part);
            Assert.That(part, Is.EqualTo(whole[^part.Length..]), name);
        }
        var matrix = a.Names.First(n => a.Describe(n).Shape.Length == 2);
        Assert.That(other.ReadFloat32(matrix), Is.Not.EqualTo(a.ReadFloat32(matrix)), "another seed gives other weights");
        Assert.Throws<ArgumentOutOfRangeException>(() => a.ReadFloat32(matrix, -1, new float[1]));
    }
}
