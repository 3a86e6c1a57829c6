using NUnit.Framework;
using PaliCuda.Kernels;

namespace PaliCuda.Tests.Kernels;

/// <summary>The launcher table and the PTX nvcc actually produced must agree exactly, both ways.</summary>
public class KernelCatalogTests
{
    private static IEnumerable<string> EmbeddedResources() => EmbeddedPtx.ResourceNames;

    [Test]
    public void EveryCatalogModuleIsEmbedded()
    {
        Assert.That(EmbeddedPtx.Modules, Is.Not.Empty, "the build embedded no PTX at all");
        Assert.That(EmbeddedPtx.Modules, Is.SupersetOf(KernelCatalog.Modules),
            "a KernelCatalog module has no kernels/<module>.cu compiled into the engine");
    }

    [TestCaseSource(nameof(EmbeddedResources))]
    public void EmbeddedPtxEntriesMatchTheLauncherTable(string resource)
    {
        var stem = resource[EmbeddedPtx.ResourcePrefix.Length..].Split('.')[0];
        var variant = resource[EmbeddedPtx.ResourcePrefix.Length..^".ptx".Length][stem.Length..].TrimStart('.');
        var ptx = variant.Length == 0 ? EmbeddedPtx.Load(stem) : EmbeddedPtx.TryLoadVariant(stem, variant);
        Assert.That(ptx, Is.Not.Null.And.Not.Empty, resource);

        var inPtx = PtxEntryParser.Parse(ptx!, resource).Select(e => e.Signature).ToArray();
        var inTable = KernelCatalog.InModule(stem).Select(e => e.Signature).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(inPtx.Except(inTable), Is.Empty, $"{resource}: entries missing from KernelCatalog (or with other parameters)");
            Assert.That(inTable.Except(inPtx), Is.Empty, $"{resource}: KernelCatalog entries absent from the PTX (or with other parameters)");
            Assert.That(inPtx, Is.Unique, $"{resource}: an entry is declared twice");
        });
    }

    [Test]
    public void EveryEmbeddedEntryIsVisible()
    {
        foreach (var stem in EmbeddedPtx.Modules)
        {
            foreach (var entry in PtxEntryParser.Parse(EmbeddedPtx.Load(stem), stem))
            {
                Assert.That(entry.Visible, Is.True, $"{stem}: entry {entry.Name} is not .visible, so the driver cannot look it up by name");
            }
        }
    }

    [Test]
    public void CatalogNamesAreUnique() =>
        Assert.That(KernelCatalog.Entries.Select(e => e.Name), Is.Unique);

    [Test]
    public void UnknownNamesGiveTypedErrors()
    {
        var entry = Assert.Throws<KernelNotFoundException>(() => KernelCatalog.Get("no_such_kernel"));
        Assert.That(entry!.Message, Does.Contain("no_such_kernel"));
        var module = Assert.Throws<KernelNotFoundException>(() => EmbeddedPtx.Load("no_such_module"));
        Assert.That(module!.Message, Does.Contain("no_such_module"));
        Assert.That(EmbeddedPtx.TryLoadVariant("no_such_module", "sm_90a"), Is.Null);
    }

    [Test]
    public void NullTerminatedPtxIsTheTextPlusOneNul()
    {
        foreach (var stem in EmbeddedPtx.Modules)
        {
            var bytes = EmbeddedPtx.LoadNullTerminated(stem);
            Assert.That(bytes[^1], Is.EqualTo(0), stem);
            Assert.That(System.Text.Encoding.UTF8.GetString(bytes, 0, bytes.Length - 1), Is.EqualTo(EmbeddedPtx.Load(stem)), stem);
        }
    }
}
