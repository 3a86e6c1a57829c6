using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;
using PaliCuda.Native.Interop;

namespace PaliCuda.Tests.Native;

/// <summary>Every bound entry point exists in the library that loaded, so no call can fail with EntryPointNotFoundException. No GPU needed.</summary>
[TestFixture]
public class NativeEntryPointTests
{
    [Test]
    public void DriverExportsEveryImportedEntryPoint() =>
        AssertAllExported(typeof(CudaDriverApi), CudaDriverLibrary.Instance);

    [Test]
    public void CublasExportsEveryImportedEntryPoint() =>
        AssertAllExported(typeof(CublasApi), CublasNativeLibraries.Cublas);

    [Test]
    public void CublasLtExportsEveryImportedEntryPoint() =>
        AssertAllExported(typeof(CublasLtApi), CublasNativeLibraries.CublasLt);

    private static void AssertAllExported(Type imports, LoadedNativeLibrary library)
    {
        if (!library.IsLoaded)
        {
            Assert.Ignore($"Library not present: {library.FailureReason}");
        }

        var entryPoints = imports.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Select(m => (Method: m, Import: m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(p => p.Import is not null)
            .Select(p => p.Import!.EntryPoint ?? p.Method.Name)
            .ToList();
        Assert.That(entryPoints, Is.Not.Empty);
        var missing = entryPoints.Where(name => !NativeLibrary.TryGetExport(library.Handle, name, out _)).ToList();
        TestContext.Out.WriteLine($"{imports.Name}: {entryPoints.Count} entry points checked in {library.Source!.Description}.");
        Assert.That(missing, Is.Empty, $"missing from {library.Source.Description}");
    }
}
