using PaliCuda.Backends;
using PaliCuda.Backends.Cpu;
using PaliCuda.Graph;

namespace PaliCuda.Tests.Backends;

/// <summary>Creates CPU tensors from arrays and random data for the per-op tests.</summary>
internal sealed class CpuOpHarness
{
    public CpuBackend Backend { get; } = new();
    public Random Random { get; }

    public CpuOpHarness(int seed) => Random = new Random(seed);

    public DeviceTensor Tensor(float[] data, params int[] shape) => Backend.UploadWeight("t", data, shape);

    public DeviceTensor Ints(int[] data)
    {
        var t = new DeviceTensor(Backend.Allocate(data.Length * 4L, "ids"), 0, [data.Length], BufferDType.I32, "ids");
        Backend.Write(t, data);
        return t;
    }

    public DeviceTensor Output(params int[] shape)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return new DeviceTensor(Backend.Allocate(n * 4, "out"), 0, shape, BufferDType.F32, "out");
    }

    public DeviceTensor IntOutput(int n) => new(Backend.Allocate(n * 4L, "out"), 0, [n], BufferDType.I32, "out");

    public float[] Read(DeviceTensor t)
    {
        var r = new float[t.ElementCount];
        Backend.Read(t, r);
        return r;
    }

    public int[] ReadInts(DeviceTensor t)
    {
        var r = new int[t.ElementCount];
        Backend.Read(t, r);
        return r;
    }

    public float[] Normal(int n, double std = 1)
    {
        var r = new float[n];
        for (var i = 0; i < n; i++)
        {
            var u1 = 1 - Random.NextDouble();
            var u2 = Random.NextDouble();
            r[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return r;
    }
}
