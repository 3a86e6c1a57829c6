using NUnit.Framework;

namespace PaliCuda.Tests.Verification;

/// <summary>Locations of the tiny PaliGemma 2 fixture copied next to the test assembly.</summary>
internal static class TinyFixture
{
    public static string Directory => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "tiny-pg2");
}
