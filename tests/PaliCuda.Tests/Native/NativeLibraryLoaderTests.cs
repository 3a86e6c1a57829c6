using NUnit.Framework;
using PaliCuda.Native.Interop;

namespace PaliCuda.Tests.Native;

/// <summary>Library probing order and failure reporting. No GPU needed.</summary>
[TestFixture]
[NonParallelizable] // sets CUDA_PATH for the process
public class NativeLibraryLoaderTests
{
    [Test]
    public void MissingLibrariesAreAReasonNotAnException()
    {
        var result = NativeLibraryLoader.LoadFirst("libnothing", [
            new NativeLibraryCandidate("libpalicuda-does-not-exist.so.1", null),
            new NativeLibraryCandidate("libpalicuda-does-not-exist.so.1", "/nonexistent-folder"),
        ]);
        Assert.That(result.IsLoaded, Is.False);
        Assert.That(result.Handle, Is.EqualTo((nint)0));
        Assert.That(result.FailureReason, Does.StartWith("libnothing not found"));
        Assert.That(result.FailureReason, Does.Contain("libpalicuda-does-not-exist.so.1 (loader path)"));
        Assert.That(result.FailureReason, Does.Contain("/nonexistent-folder/libpalicuda-does-not-exist.so.1"));
        Assert.That(result.TryGetExport("anything"), Is.EqualTo((nint)0));
    }

    [Test]
    public void FirstLoadableCandidateWinsAndIsReported()
    {
        var blas = PaliCuda.Native.Blas.CublasLibrary.Probe();
        if (!blas.Available)
        {
            Assert.Ignore($"Needs some loadable library to load; cuBLAS: {blas.Reason}");
        }

        var real = new NativeLibraryCandidate(blas.FileName!, null);
        var result = NativeLibraryLoader.LoadFirst("cuBLAS", [new NativeLibraryCandidate("libpalicuda-does-not-exist.so.1", null), real, real with { FileName = "unused" }]);
        Assert.That(result.IsLoaded, Is.True);
        Assert.That(result.Source, Is.EqualTo(real));
        Assert.That(result.TryGetExport("cublasCreate_v2"), Is.Not.EqualTo((nint)0));
    }

    [Test]
    public void ToolkitFoldersFollowCudaPathThenTheDefaultInstall()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Linux folder layout.");
        }

        var saved = Environment.GetEnvironmentVariable("CUDA_PATH");
        try
        {
            Environment.SetEnvironmentVariable("CUDA_PATH", "/opt/some-cuda");
            Assert.That(NativeLibraryLoader.ToolkitLibraryDirectories(), Is.EqualTo(new[] { "/opt/some-cuda/lib64", "/usr/local/cuda/lib64" }));
            Environment.SetEnvironmentVariable("CUDA_PATH", "/usr/local/cuda");
            Assert.That(NativeLibraryLoader.ToolkitLibraryDirectories(), Is.EqualTo(new[] { "/usr/local/cuda/lib64" }));
            Environment.SetEnvironmentVariable("CUDA_PATH", null);
            Assert.That(NativeLibraryLoader.ToolkitLibraryDirectories(), Is.EqualTo(new[] { "/usr/local/cuda/lib64" }));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CUDA_PATH", saved);
        }
    }
}
