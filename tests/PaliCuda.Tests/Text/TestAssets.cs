using NUnit.Framework;
namespace PaliCuda.Tests.Text;

/// <summary>Paths of the fixture files and of the demo checkpoint the text and imaging tests read.</summary>
internal static class TestAssets
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([TestContext.CurrentContext.TestDirectory, "Fixtures", .. parts]);

    /// <summary>The demo checkpoint folder; it lives in the CLI project, found by walking up to the solution.</summary>
    public static string DemoModel(params string[] parts)
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PaliCuda.sln")))
            dir = dir.Parent;
        if (dir is null)
            throw new DirectoryNotFoundException($"PaliCuda.sln not found above {TestContext.CurrentContext.TestDirectory}");
        return Path.Combine([dir.FullName, "src", "PaliCuda.Cli", "DemoAssets", "demo-model", .. parts]);
    }
}
