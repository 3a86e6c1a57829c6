using PaliCuda.Devices;

namespace PaliCuda.Benchmarking;

/// <summary>
/// An <see cref="IComputeDevice"/> that forwards everything to another device and keeps count of the bytes it holds
/// allocated, so a benchmark can report peak device memory on any device (the emulator and CUDA alike). Matrix
/// products go to the blas given with the inner device.
/// </summary>
public sealed class PeakMemoryDevice(IComputeDevice inner, IDeviceBlas blas) : IComputeDevice, IDeviceBlas
{
    private readonly Dictionary<ulong, long> _live = [];
    private readonly Lock _gate = new();

    public IComputeDevice Inner => inner;
    public long LiveBytes { get; private set; }
    public long PeakBytes { get; private set; }

    public string Name => inner.Name;
    public IComputeStream DefaultStream => inner.DefaultStream;

    public DeviceBuffer Allocate(long byteLength)
    {
        var buffer = inner.Allocate(byteLength);
        lock (_gate)
        {
            _live[buffer.Address] = byteLength;
            LiveBytes += byteLength;
            PeakBytes = Math.Max(PeakBytes, LiveBytes);
        }
        return buffer;
    }

    public void Free(DeviceBuffer buffer)
    {
        inner.Free(buffer);
        lock (_gate)
        {
            if (_live.Remove(buffer.Address, out var bytes)) LiveBytes -= bytes;
        }
    }

    public IComputeStream CreateStream() => inner.CreateStream();
    public void CopyHostToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, IComputeStream? stream = null) => inner.CopyHostToDevice(source, destination, stream);
    public void CopyDeviceToHost(DeviceBuffer source, Span<byte> destination, IComputeStream? stream = null) => inner.CopyDeviceToHost(source, destination, stream);
    public void CopyDeviceToDevice(DeviceBuffer source, DeviceBuffer destination, IComputeStream? stream = null) => inner.CopyDeviceToDevice(source, destination, stream);
    public void Memset(DeviceBuffer destination, byte value, IComputeStream? stream = null) => inner.Memset(destination, value, stream);
    public IDeviceModule LoadModule(string name, string ptx) => inner.LoadModule(name, ptx);
    public void Launch(IDeviceFunction function, LaunchConfig config, KernelArguments arguments, IComputeStream? stream = null) => inner.Launch(function, config, arguments, stream);
    public IDeviceEvent CreateEvent() => inner.CreateEvent();
    public void RecordEvent(IDeviceEvent deviceEvent, IComputeStream? stream = null) => inner.RecordEvent(deviceEvent, stream);
    public void BeginCapture(IComputeStream stream) => inner.BeginCapture(stream);
    public IDeviceGraph EndCapture(IComputeStream stream) => inner.EndCapture(stream);
    public void LaunchGraph(IDeviceGraph graph, IComputeStream? stream = null) => inner.LaunchGraph(graph, stream);

    public void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null) =>
        blas.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, batchCount, stream);

    public void Dispose() => inner.Dispose();
}
