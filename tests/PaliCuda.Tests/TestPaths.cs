using NUnit.Framework;

namespace PaliCuda.Tests;

/// <summary>
/// Where the tests find their inputs: the fixtures and the CLI's demo model are both copied next to the test assembly,
/// so the same paths hold in a build folder and in the published test bundle the GPU check runs.
/// </summary>
internal static class TestPaths
{
    private static string TestDirectory => TestContext.CurrentContext.TestDirectory;

    /// <summary>A file or folder under Fixtures/ (e.g. <c>Fixture("tokenizer", "tokenizer.model")</c>).</summary>
    public static string Fixture(params string[] parts) => Path.Combine([TestDirectory, "Fixtures", .. parts]);

    /// <summary>The tiny PaliGemma 2 checkpoint fixture folder.</summary>
    public static string TinyPg2 => Fixture("tiny-pg2");

    /// <summary>The CLI's demo model folder, or a file in it.</summary>
    public static string DemoModel(params string[] parts) => Path.Combine([TestDirectory, "DemoAssets", "demo-model", .. parts]);

    /// <summary>A fresh empty folder, deleted when the returned <see cref="TempFolder"/> is disposed.</summary>
    public static TempFolder NewTempFolder() => new();
}
