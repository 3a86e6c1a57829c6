using NUnit.Framework;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Gpu;

/// <summary>The bound a GPU backend's run of the tiny-pg2 fixture is held to against Hugging Face, and its check.</summary>
internal static class Bf16EndToEnd
{
    /// <summary>
    /// bf16 end to end: every weight and activation is rounded to bf16 (u = 2^-8) on the way; independent roundings add
    /// like a random walk, so after the ≈ 40 rounded tensors on tiny-pg2's deepest path (2 vision + 3 text layers,
    /// ≈ 8 rounded weights/activations each) the expected relative error is about √40·u ≈ 6.3u; the bound is 8u.
    /// </summary>
    public const double RelativeL2 = 8 * Bf16Tolerance.UnitRoundoff;

    /// <summary>Every compared float tensor of <paramref name="report"/> (at least 15 of them) within <see cref="RelativeL2"/>.</summary>
    public static void AssertFloatTensorsWithinBound(ComparisonReport report)
    {
        var compared = report.Cases.SelectMany(c => c.Tensors).Where(t => t.Note != "exact" && !double.IsNaN(t.RelativeError)).ToList();
        Assert.That(compared, Has.Count.GreaterThanOrEqualTo(15));
        var failed = compared.Where(t => !(t.RelativeError <= RelativeL2)).Select(t => $"{t.Name}: rel {t.RelativeError:E3}");
        Assert.That(failed, Is.Empty);
    }
}
