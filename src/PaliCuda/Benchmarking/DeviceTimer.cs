using System.Diagnostics;
using PaliCuda.Backends;
using PaliCuda.Backends.Gpu;

namespace PaliCuda.Benchmarking;

/// <summary>
/// Times backend work: with device events around each repetition on a GPU backend (CUDA events on a CUDA device, so
/// launch overhead on the host is excluded where the GPU is kept busy), with a host clock around work + synchronize
/// on the CPU backend. Warm-up runs come first so module loads and handle creation stay out of the numbers.
/// </summary>
public static class DeviceTimer
{
    /// <summary>Milliseconds of each of <paramref name="repetitions"/> runs of <paramref name="work"/> after <paramref name="warmup"/> untimed runs.</summary>
    public static double[] Measure(IBackend backend, Action work, int warmup, int repetitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        for (var i = 0; i < warmup; i++) work();
        backend.Synchronize();
        var times = new double[repetitions];
        if (backend is GpuBackend gpu)
        {
            var device = gpu.Device;
            using var start = device.CreateEvent();
            using var stop = device.CreateEvent();
            for (var i = 0; i < repetitions; i++)
            {
                device.RecordEvent(start);
                work();
                device.RecordEvent(stop);
                stop.Synchronize();
                times[i] = stop.ElapsedMillisecondsSince(start);
            }
        }
        else
        {
            for (var i = 0; i < repetitions; i++)
            {
                var clock = Stopwatch.StartNew();
                work();
                backend.Synchronize();
                times[i] = clock.Elapsed.TotalMilliseconds;
            }
        }
        return times;
    }

    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
