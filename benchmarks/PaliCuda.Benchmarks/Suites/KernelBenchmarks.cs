using BenchmarkDotNet.Attributes;
using PaliCuda.Backends.Gpu;
using PaliCuda.Benchmarking;
using PaliCuda.Benchmarks.Infrastructure;
using PaliCuda.Devices;

namespace PaliCuda.Benchmarks.Suites;

/// <summary>
/// Every op × registered variant at the shapes it runs at inside PaliGemma 2 3B/10B/28B and SigLIP So400m at
/// 224/448/896 px (CUDA), or at the scaled-down config's shapes (emulator, CPU). Each invocation is bracketed by
/// device events; the columns turn that time into GB/s, TFLOP/s and fractions of the measured ceilings.
/// </summary>
[Config(typeof(PaliCudaBenchmarkConfig))]
public class KernelBenchmarks
{
    private BenchmarkTarget? _target;
    private PreparedOp? _op;
    private IDeviceEvent? _start;
    private IDeviceEvent? _stop;

    [ParamsSource(nameof(Cases))]
    public KernelCase Case { get; set; } = null!;

    public static IEnumerable<KernelCase> Cases() => KernelCase.All();

    [GlobalSetup]
    public void Setup()
    {
        _target = BenchmarkTarget.Create(Case.Device, KernelOps.VariantChoice(Case.Shape.Op, Case.Variant));
        MeasurementLog.CeilingsFor(_target);
        _op = PreparedOp.Prepare(_target.Backend, Case.Shape);
        if (_target.Backend is GpuBackend gpu)
        {
            _start = gpu.Device.CreateEvent();
            _stop = gpu.Device.CreateEvent();
        }
    }

    [Benchmark]
    public void Run()
    {
        var op = _op!;
        if (_target!.Backend is GpuBackend gpu)
        {
            gpu.Device.RecordEvent(_start!);
            op.Run();
            gpu.Device.RecordEvent(_stop!);
            _stop!.Synchronize();
            MeasurementLog.RecordDeviceTime(Case.Key, _stop.ElapsedMillisecondsSince(_start!));
        }
        else
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            op.Run();
            _target.Backend.Synchronize();
            MeasurementLog.RecordDeviceTime(Case.Key, clock.Elapsed.TotalMilliseconds);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _start?.Dispose();
        _stop?.Dispose();
        _op?.Dispose();
        _target?.Dispose();
        (_start, _stop, _op, _target) = (null, null, null, null);
    }
}
