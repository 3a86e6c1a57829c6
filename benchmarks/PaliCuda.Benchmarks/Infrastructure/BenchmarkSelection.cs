using PaliCuda.Generation;
using PaliCuda.Native.Driver;

namespace PaliCuda.Benchmarks.Infrastructure;

/// <summary>
/// Which devices and models the suites run on. PALICUDA_BENCH_DEVICES (comma list of cuda, emulated, cpu) picks
/// devices, default cuda when a GPU answers, else emulated and cpu; PALICUDA_BENCH_MODELS (comma list such as
/// "3b-224,10b-448") narrows the released models on cuda. <see cref="SmokeOnly"/> keeps each suite's one smallest
/// case, for the CI smoke run.
/// </summary>
public static class BenchmarkSelection
{
    public const string DevicesVariable = "PALICUDA_BENCH_DEVICES";
    public const string ModelsVariable = "PALICUDA_BENCH_MODELS";

    /// <summary>Set by the CI smoke run: every suite offers only its smallest non-CUDA case.</summary>
    public static bool SmokeOnly { get; set; }

    public static IReadOnlyList<DeviceKind> Devices()
    {
        if (SmokeOnly) return [DeviceKind.Emulated];
        var text = Environment.GetEnvironmentVariable(DevicesVariable);
        if (string.IsNullOrWhiteSpace(text))
            return CudaDriver.Probe().Available ? [DeviceKind.Cuda] : [DeviceKind.Emulated, DeviceKind.Cpu];
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(BackendFactory.Parse)];
    }

    /// <summary>Model names for a device: the released ones (optionally narrowed) on CUDA, "tiny" elsewhere.</summary>
    public static IReadOnlyList<string> Models(DeviceKind device)
    {
        if (device != DeviceKind.Cuda) return [Benchmarking.BenchmarkModels.TinyName];
        var all = Benchmarking.BenchmarkModels.Released.Select(m => m.Name).ToList();
        var text = Environment.GetEnvironmentVariable(ModelsVariable);
        if (string.IsNullOrWhiteSpace(text)) return all;
        var wanted = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var w in wanted) Benchmarking.BenchmarkModels.ByName(w);
        return [.. all.Where(m => wanted.Contains(m))];
    }
}
