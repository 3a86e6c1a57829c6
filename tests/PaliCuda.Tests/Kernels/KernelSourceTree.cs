namespace PaliCuda.Tests.Kernels;

/// <summary>Finds the repository's kernels/ folder from the test output folder; absent in a published bundle.</summary>
internal static class KernelSourceTree
{
    public static string? FindKernelsDirectory()
    {
        for (var dir = new DirectoryInfo(TestContextDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "kernels");
            if (File.Exists(Path.Combine(candidate, "Kernels.targets")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string TestContextDirectory() => NUnit.Framework.TestContext.CurrentContext.TestDirectory;
}
