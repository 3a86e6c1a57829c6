using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Hostile;

/// <summary>Regression tests for PTX the <c>emuptx</c> fuzz target found (fuzz.sh emuptx); each input is the crash
/// minimised by hand to the construct that let a raw exception escape from <see cref="EmulatedDevice.LoadModule"/>.</summary>
public class EmulatorPtxFoundByFuzzingTests
{
    private const string Header = ".version 7.8\n.target sm_80\n.address_size 64\n";

    [Test]
    public void BranchToALabelAfterTheLastInstruction()
    {
        // AFL (first 200 s round) cut the tail off a kernel, leaving a label with no instruction after it: the
        // reconvergence analysis indexed its block table with the code length and threw IndexOutOfRange while loading.
        string ptx = Header + ".visible .entry off_end()\n{\n  bra.uni END;\nEND:\n}\n";
        using var device = new EmulatedDevice();
        var kernel = device.LoadModule("off_end", ptx).GetFunction("off_end");
        var e = Assert.Throws<EmulatorException>(() => device.Launch(kernel, new LaunchConfig(1, 1), new KernelArguments()))!;
        Assert.That(e.Message, Does.Contain("ran past the end of the kernel"));
    }

    /// <summary>Declarations that made the loader allocate gigabytes or overflow a size: the fuzzer's fork server died
    /// (out of memory) on the first round, and probing the declarations by hand found these, each now refused at load
    /// with its line.</summary>
    [TestCase(".visible .entry k()\n{\n  .reg .b32 %r<200000000>;\n  ret;\n}\n", 6, "registers")]
    [TestCase(".global .align 4 .b8 g[4000000000];\n.visible .entry k()\n{\n  ret;\n}\n", 4, "array of 4000000000 elements")]
    [TestCase(".global .align 4 .b8 g[200000000];\n.global .align 4 .b8 h[200000000];\n.visible .entry k()\n{\n  ret;\n}\n", 5, "module .global variables")]
    [TestCase(".const .align 4 .b8 c[100000];\n.visible .entry k()\n{\n  ret;\n}\n", 4, "constant bank")]
    [TestCase(".visible .entry k(.param .align 4 .b8 p[40000])\n{\n  ret;\n}\n", 4, "parameters take more than")]
    [TestCase(".visible .entry k()\n{\n  .shared .align 4 .b8 s[2000000];\n  ret;\n}\n", 6, "shared memory")]
    [TestCase(".visible .entry k()\n{\n  .local .align 4 .b8 l[2000000];\n  ret;\n}\n", 6, "local memory per thread")]
    [TestCase(".global .align 3 .b8 g[4];\n.visible .entry k()\n{\n  ret;\n}\n", 4, ".align 3")]
    public void OversizedDeclarationIsRefusedAtLoad(string body, int line, string expected)
    {
        using var device = new EmulatedDevice();
        var e = Assert.Throws<PtxFormatException>(() => device.LoadModule("huge", Header + body))!;
        Assert.That(e.Message, Does.Contain(expected));
        Assert.That(e.Line, Is.EqualTo(line));
        Assert.That(device.AllocatedBytes, Is.Zero, "nothing is left allocated by a refused module");
    }
}
