using PaliCuda.Devices;

namespace PaliCuda.Benchmarking;

/// <summary>
/// An <see cref="IComputeDevice"/> that forwards everything to another device and keeps count of the bytes it holds
/// allocated, so a benchmark can report peak device memory on any device (the emulator and CUDA alike). Matrix
/// products go to the blas given with the inner device.
/// </summary>
public sealed class PeakMemoryDevice(IComputeDevice inner, IDeviceBlas blas) : ForwardingComputeDevice(inner), IDeviceBlas
{
    private readonly Dictionary<ulong, long> _live = [];
    private readonly Lock _gate = new();

    public long LiveBytes { get; private set; }
    public long PeakBytes { get; private set; }

    public override DeviceBuffer Allocate(long byteLength)
    {
        var buffer = Inner.Allocate(byteLength);
        lock (_gate)
        {
            _live[buffer.Address] = byteLength;
            LiveBytes += byteLength;
            PeakBytes = Math.Max(PeakBytes, LiveBytes);
        }
        return buffer;
    }

    public override void Free(DeviceBuffer buffer)
    {
        Inner.Free(buffer);
        lock (_gate)
        {
            if (_live.Remove(buffer.Address, out var bytes)) LiveBytes -= bytes;
        }
    }

    public void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null) =>
        blas.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, batchCount, stream);
}
