using NUnit.Framework;
using PaliCuda.Backends;
using PaliCuda.Backends.Cpu;
using PaliCuda.Backends.Gpu;
using PaliCuda.Graph;
using PaliCuda.Numerics;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Runs one op on a GPU backend and on the CPU reference from the same inputs. Inputs are drawn at random (the seed
/// is printed), rounded to bf16 so both backends see identical values, and every GPU output is first filled with a
/// NaN byte pattern so an element the kernel never writes shows up as NaN.
/// </summary>
internal sealed class GpuOpHarness : IDisposable
{
    /// <summary>0xFF bytes: a NaN in bf16 (0xFFFF) and in fp32 (0xFFFFFFFF).</summary>
    private const byte PoisonByte = 0xFF;

    public GpuBackend Gpu { get; }
    public CpuBackend Cpu { get; } = new();
    public Random Random { get; }
    public int Seed { get; }

    public GpuOpHarness(GpuTarget target, int seed, GpuBackendOptions? options = null)
    {
        Gpu = GpuTargets.CreateBackend(target, options);
        Seed = seed;
        Random = new Random(seed);
        TestContext.Out.WriteLine($"seed {seed} on {Gpu.Name}");
    }

    /// <summary>A bf16-representable random normal vector.</summary>
    public float[] Normal(long n, double std = 1, double mean = 0)
    {
        var r = new float[n];
        for (long i = 0; i < n; i++)
        {
            var u1 = 1 - Random.NextDouble();
            var u2 = Random.NextDouble();
            r[i] = RoundBf16((float)(mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
        }
        return r;
    }

    public static float RoundBf16(float v) => BitConverter.UInt32BitsToSingle((uint)BFloat16.RoundToBits(v) << 16);
    public static float[] RoundBf16(float[] v) => v.Select(RoundBf16).ToArray();

    /// <summary>The same values as a GPU tensor (bf16 or f32) and a CPU tensor (f32).</summary>
    public (DeviceTensor Gpu, DeviceTensor Cpu) Pair(float[] data, int[] shape, BufferDType gpuType = BufferDType.BF16)
    {
        var g = GpuTensor(shape, gpuType, "in");
        Gpu.Write(g, data);
        return (g, Cpu.UploadWeight("in", (float[])data.Clone(), shape));
    }

    public (DeviceTensor Gpu, DeviceTensor Cpu) Ints(int[] data)
    {
        var g = GpuTensor([data.Length], BufferDType.I32, "ids");
        Gpu.Write(g, data);
        var c = new DeviceTensor(Cpu.Allocate(data.Length * 4L, "ids"), 0, [data.Length], BufferDType.I32, "ids");
        Cpu.Write(c, data);
        return (g, c);
    }

    /// <summary>A poisoned GPU output and a zeroed CPU output of the same shape.</summary>
    public (DeviceTensor Gpu, DeviceTensor Cpu) Outputs(int[] shape, BufferDType gpuType = BufferDType.BF16, BufferDType cpuType = BufferDType.F32)
    {
        var g = GpuTensor(shape, gpuType, "out");
        Gpu.Device.Memset(((GpuMemory)g.Memory).Buffer, PoisonByte);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return (g, new DeviceTensor(Cpu.Allocate(n * 4, "out"), 0, shape, cpuType, "out"));
    }

    public DeviceTensor GpuTensor(int[] shape, BufferDType type, string name)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return new DeviceTensor(Gpu.Allocate(n * type.ElementBytes(), name), 0, shape, type, name);
    }

    public float[] Read(IBackend backend, DeviceTensor t)
    {
        var r = new float[t.ElementCount];
        backend.Read(t, r);
        return r;
    }

    public int[] ReadInts(IBackend backend, DeviceTensor t)
    {
        var r = new int[t.ElementCount];
        backend.Read(t, r);
        return r;
    }

    /// <summary>Relative L2 error and max abs error; asserts every element written (no NaN where the reference is finite) and the relative bound.</summary>
    public static ErrorMeasure AssertClose(string what, float[] reference, float[] actual, double relativeBound)
    {
        Assert.That(actual, Has.Length.EqualTo(reference.Length), $"{what}: length");
        var m = ErrorMeasure.Of(reference, actual);
        TestContext.Out.WriteLine($"{what}: rel L2 {m.RelativeL2:E3}, max abs {m.MaxAbs:E3} (|ref| max {m.MaxReference:E3}), bound rel {relativeBound:E3}");
        Assert.That(m.NonFiniteMismatches, Is.EqualTo(0), $"{what}: {m.NonFiniteMismatches} elements disagree with the reference on NaN/∞ (unwritten or wrong), first at {m.FirstMismatch}");
        Assert.That(m.RelativeL2, Is.LessThanOrEqualTo(relativeBound), $"{what}: relative L2 error");
        return m;
    }

    public void Dispose() => Gpu.Dispose();
}
