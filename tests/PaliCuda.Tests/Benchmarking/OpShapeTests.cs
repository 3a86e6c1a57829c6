using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Benchmarking;

public class OpShapeTests
{
    [Test]
    public void EveryRegisteredVariantOpHasAHarnessAndCatalogShapesOnEveryDevice()
    {
        foreach (var op in KernelVariants.All.Keys)
        {
            Assert.That(KernelOps.IsKnown(op), $"op '{op}' has kernel variants but no benchmark harness in KernelOps");
            Assert.That(KernelOps.Variants(op), Is.EqualTo(KernelVariants.All[op].Select(v => v.Name)));
        }
        foreach (var op in KernelOps.All)
        {
            Assert.That(ShapeCatalog.Released().Any(s => s.Op == op), $"no released shape for {op}");
            Assert.That(ShapeCatalog.DefaultFor(op, DeviceKind.Emulated).Op, Is.EqualTo(op));
        }
    }

    [Test]
    public void ParseReadsDimensionsAndRefusesBadText()
    {
        var s = OpShape.Parse(KernelOps.MatMul, "m=3, n=5,k=7");
        Assert.That((s["m"], s["n"], s["k"]), Is.EqualTo((3, 5, 7)));
        Assert.That(OpShape.Parse(KernelOps.MatMul, s.DimsText).DimsText, Is.EqualTo(s.DimsText));
        Assert.That(OpCost.Of(s).Flops, Is.EqualTo(OpCost.Of(OpShape.Parse(KernelOps.MatMul, "k=7,n=5,m=3")).Flops));
        Assert.Throws<FormatException>(() => OpShape.Parse(KernelOps.MatMul, "m=3,n=5"));
        Assert.Throws<FormatException>(() => OpShape.Parse(KernelOps.MatMul, "m=3,n=5,k=0"));
        Assert.Throws<FormatException>(() => OpShape.Parse(KernelOps.MatMul, "m=3,n=5,k=7,z=1"));
        Assert.Throws<FormatException>(() => OpShape.Parse(KernelOps.MatMul, "m=3,m=4,n=5,k=7"));
        Assert.Throws<ArgumentException>(() => OpShape.Parse("no.such.op", "m=1"));
    }

    [Test]
    public void EveryCatalogShapeRunsOnTheCpuAndMatchesItsCostModelSize()
    {
        using var cpu = BenchmarkTarget.Create(DeviceKind.Cpu);
        foreach (var shape in ShapeCatalog.Tiny())
        {
            using var op = PreparedOp.Prepare(cpu.Backend, shape);
            op.Run();
            var output = op.ReadOutput();
            Assert.That(output.All(float.IsFinite), shape.ToString());
            Assert.That(output.Any(v => v != 0), shape + " wrote its output");
            Assert.That(OpCost.Of(shape, 4).Bytes, Is.GreaterThanOrEqualTo(4.0 * output.Length), shape + ": the bytes count the output at least");
        }
    }
}
