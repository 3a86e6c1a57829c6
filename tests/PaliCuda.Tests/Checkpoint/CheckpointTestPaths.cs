using NUnit.Framework;

namespace PaliCuda.Tests.Checkpoint;

/// <summary>Locations of the checkpoint fixtures and a scratch folder per test.</summary>
internal static class CheckpointTestPaths
{
    public static string TinyPg2 => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "tiny-pg2");

    /// <summary>The CLI's demo model, found by walking up from the test binaries to the repository root.</summary>
    public static string DemoModel
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PaliCuda.sln"))) dir = dir.Parent;
            if (dir is null) Assert.Fail("repository root (PaliCuda.sln) not found above the test directory");
            return Path.Combine(dir!.FullName, "src", "PaliCuda.Cli", "DemoAssets", "demo-model");
        }
    }

    /// <summary>A fresh empty folder, deleted when the test's <see cref="TempFolder"/> is disposed.</summary>
    public static TempFolder NewTempFolder() => new();
}
