using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;
using PaliCuda.Generation;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>A model shape on a device, for one end-to-end phase: the parameter of the end-to-end suites.</summary>
public sealed record ModelCase(DeviceKind Device, string Model, EndToEndPhase Phase) : IMeasuredCase
{
    public string Key => $"model|{this}";

    /// <summary>Prefill: its FLOPs and weight bytes. Decode: 2 FLOPs per decoder weight and the step's bytes.</summary>
    public OpWork Work
    {
        get
        {
            var floor = ModelFloor.For(Model, BenchmarkModels.ByName(Model));
            return Phase == EndToEndPhase.TimeToFirstToken
                ? new OpWork(floor.PrefillFlops, floor.PrefillBytes)
                : new OpWork(2.0 * floor.DecoderParameters, floor.DecodeBytes);
        }
    }

    public override string ToString() => $"{Device.ToString().ToLowerInvariant()} {Model}";

    public static IEnumerable<ModelCase> All(EndToEndPhase phase)
    {
        var cases = BenchmarkSelection.Devices().SelectMany(d => BenchmarkSelection.Models(d).Select(m => new ModelCase(d, m, phase)));
        return BenchmarkSelection.SmokeOnly ? cases.Take(1) : cases;
    }
}
