using PaliCuda.Backends;
using PaliCuda.Backends.Gpu;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;
using PaliCuda.Graph;

namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>
/// Times the kernel that ends every decode step on one logits row of the model's vocabulary: the fused soft cap + argmax
/// (greedy) and the fused soft cap + sampling kernel for the usual settings, so the sampler's cost per token is measured
/// beside the greedy one in the same run (the end-to-end decode figures are greedy).
/// </summary>
public static class TokenChoiceTimer
{
    private const float FinalSoftCap = 30f;

    /// <summary>The settings timed: nucleus alone, top-k alone, both, and plain temperature (every pass off).</summary>
    public static IReadOnlyList<SampleParameters> Settings { get; } =
    [
        new(1f, 0, 0.9f),
        new(1f, 50, 1f),
        new(0.7f, 40, 0.95f),
        new(1f, 0, 1f),
    ];

    /// <summary>Empty on a backend without kernels (the CPU reference).</summary>
    public static IReadOnlyList<TokenChoiceTiming> Measure(DeviceKind device, int vocabulary, int limit, int repetitions, bool jitPtx = false,
        ulong seed = 20250101)
    {
        using var target = BenchmarkTarget.Create(device, jitPtx: jitPtx);
        if (target.Backend is not GpuBackend gpu) return [];
        var random = new DeterministicRandom(seed);
        // Logit-like spread: normal with standard deviation 4 around 0 (Box-Muller), before the soft cap.
        var logits = new float[vocabulary];
        for (var i = 0; i < logits.Length; i += 2)
        {
            var r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var a = 2 * Math.PI * random.NextDouble();
            logits[i] = (float)(4 * r * Math.Cos(a));
            if (i + 1 < logits.Length) logits[i + 1] = (float)(4 * r * Math.Sin(a));
        }
        var x = Tensor(gpu, [1, vocabulary], BufferDType.F32, "logits");
        gpu.Write(x, logits);
        var capped = Tensor(gpu, [1, vocabulary], BufferDType.F32, "capped");
        var ids = Tensor(gpu, [1], BufferDType.I32, "ids");
        var controls = Tensor(gpu, [1, SampleControls.Width], BufferDType.F32, "controls");

        var timings = new List<TokenChoiceTiming>
        {
            Time(gpu, "argmax", vocabulary, repetitions, () => gpu.SoftCapArgMax(x, FinalSoftCap, limit, capped, ids)),
        };
        foreach (var setting in Settings)
        {
            gpu.Write(controls, SampleControls.Of(setting, 0.5f));
            timings.Add(Time(gpu, setting.ToString(), vocabulary, repetitions, () => gpu.SoftCapSample(x, FinalSoftCap, limit, capped, controls, ids)));
        }
        return timings;
    }

    private static TokenChoiceTiming Time(GpuBackend gpu, string setting, int vocabulary, int repetitions, Action work) =>
        new(setting, vocabulary, DeviceTimer.Median(DeviceTimer.Measure(gpu, work, warmup: 2, repetitions)) * 1000);

    private static DeviceTensor Tensor(GpuBackend gpu, int[] shape, BufferDType type, string name) =>
        new(gpu.Allocate(shape.Aggregate(1L, (a, b) => a * b) * type.ElementBytes(), name), 0, shape, type, name);
}
