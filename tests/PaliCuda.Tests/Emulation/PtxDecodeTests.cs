using NUnit.Framework;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class PtxDecodeTests
{
    private static readonly string[] Modules =
        { "rmsnorm", "faults", "control", "warp_ops", "shared_atomics", "memory_ops", "int_ops", "float_ops", "cvt_ops" };

    [TestCaseSource(nameof(Modules))]
    public void EveryTestKernelDecodes(string module)
    {
        using var device = new EmulatedDevice();
        var m = device.LoadModule(module, EmulatorKernels.Ptx(module));
        Assert.That(m.FunctionNames, Is.Not.Empty);
    }

    [Test]
    public void UnimplementedInstructionIsRejectedAtLoadWithLine()
    {
        string ptx = ".version 7.8\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n.reg .b32 %r<3>;\n  mov.u32 %r1, 1;\n  frobnicate.b32 %r2, %r1;\n  ret;\n}\n";
        using var device = new EmulatedDevice();
        var ex = Assert.Throws<PtxFormatException>(() => device.LoadModule("bad", ptx));
        Assert.That(ex!.Line, Is.EqualTo(8));
        Assert.That(ex.Message, Does.Contain("frobnicate.b32"));
    }

    [Test]
    public void UnsupportedVariantIsRejectedAtLoad()
    {
        string ptx = ".version 7.8\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n.reg .f64 %fd<3>;\n  add.rz.f64 %fd1, %fd2, %fd2;\n  ret;\n}\n";
        using var device = new EmulatedDevice();
        var ex = Assert.Throws<PtxFormatException>(() => device.LoadModule("bad", ptx));
        Assert.That(ex!.Line, Is.EqualTo(7));
        Assert.That(ex.Message, Does.Contain(".rz"));
    }
}
