using NUnit.Framework;
using PaliCuda.Kernels;

namespace PaliCuda.Tests.Kernels;

/// <summary>The machine code ptxas made for each checked architecture is embedded beside the PTX, one per module and architecture.</summary>
public class EmbeddedMachineCodeTests
{
    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    [Test]
    public void EveryModuleCarriesAnElfImageForEveryCheckedArchitecture()
    {
        var archs = EmbeddedPtx.BuildInfo.PtxasArchs.Where(a => !a.EndsWith('a')).ToArray();
        Assert.That(archs, Does.Contain("sm_80").And.Contain("sm_90"));
        Assert.Multiple(() =>
        {
            foreach (var module in EmbeddedPtx.Modules)
            {
                Assert.That(EmbeddedPtx.BinaryArchitectures(module), Is.EquivalentTo(archs), module);
                foreach (var arch in archs)
                {
                    var code = EmbeddedPtx.TryLoadBinary(module, arch);
                    Assert.That(code, Is.Not.Null.And.Length.GreaterThan(1024), $"{module} {arch}");
                    Assert.That(code!.AsSpan(0, 4).SequenceEqual(ElfMagic), Is.True, $"{module} {arch}: an ELF image");
                }
            }
        });
    }

    [Test]
    public void NoMachineCodeIsEmbeddedWithoutItsModule()
    {
        var stems = EmbeddedPtx.BinaryResourceNames.Select(n => n[EmbeddedPtx.ResourcePrefix.Length..].Split('.')[0]).Distinct();
        Assert.That(stems, Is.SubsetOf(EmbeddedPtx.Modules), "a stale <stem>.<arch>.cubin left by a deleted kernel would be shipped");
        Assert.That(EmbeddedPtx.TryLoadBinary("rmsnorm", "sm_75"), Is.Null);
        Assert.That(EmbeddedPtx.TryLoadBinary("no_such_module", "sm_80"), Is.Null);
    }

    [TestCase(8, 0, "sm_80")]
    [TestCase(8, 6, "sm_80")]
    [TestCase(8, 9, "sm_80")]
    [TestCase(9, 0, "sm_90")]
    [TestCase(7, 5, null)]
    [TestCase(10, 0, null)]
    [TestCase(12, 0, null)]
    public void ADeviceRunsTheCodeOfItsMajorVersionUpToItsMinor(int major, int minor, string? expected) =>
        Assert.That(KernelBinaryArchitecture.For(major, minor, ["sm_80", "sm_90", "sm_90a"]), Is.EqualTo(expected));

    [Test]
    public void TheHighestMinorNotAboveTheDevicesIsChosen()
    {
        Assert.That(KernelBinaryArchitecture.For(8, 6, ["sm_80", "sm_86", "sm_89"]), Is.EqualTo("sm_86"));
        Assert.That(KernelBinaryArchitecture.For(8, 0, ["sm_86"]), Is.Null, "sm_86 code does not run on 8.0");
        Assert.That(KernelBinaryArchitecture.For(9, 0, ["sm_90a", "compute_90", "sm_x"]), Is.Null, "only plain sm_XY names are machine code");
    }
}
