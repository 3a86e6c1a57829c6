using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;
using PaliCuda.Generation;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>One op variant at one shape on one device: the parameter of <see cref="KernelBenchmarks"/>.</summary>
public sealed record KernelCase(DeviceKind Device, string Variant, OpShape Shape) : IMeasuredCase
{
    public string Key => $"kernel|{this}";
    public OpWork Work => OpCost.Of(Shape, Device == DeviceKind.Cpu ? 4 : OpCost.Bf16Bytes);
    public override string ToString() => $"{Device.ToString().ToLowerInvariant()} {Shape.Op}/{Variant} {Shape}";

    /// <summary>Every op × variant × catalogued shape of every selected device; one tiny case in a smoke run.</summary>
    public static IEnumerable<KernelCase> All()
    {
        var cases = BenchmarkSelection.Devices().SelectMany(device => ShapeCatalog.ForDevice(device)
            .SelectMany(shape => KernelOps.Variants(shape.Op).Select(variant => new KernelCase(device, variant, shape))));
        return BenchmarkSelection.SmokeOnly ? cases.OrderBy(c => c.Work.Bytes + c.Work.Flops).Take(1) : cases;
    }
}
