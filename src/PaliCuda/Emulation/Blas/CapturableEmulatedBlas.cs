using PaliCuda.Devices;

namespace PaliCuda.Emulation.Blas;

/// <summary>
/// <see cref="EmulatedBlas"/> that can be recorded into a captured graph, as cuBLAS calls can on a CUDA stream: on a
/// capturing emulated stream the GEMM (operands checked now) becomes one graph node that runs the host GEMM when the
/// graph is replayed, reading whatever the operand buffers hold then. Outside capture it runs at once.
/// </summary>
public sealed class CapturableEmulatedBlas(EmulatedDevice device) : IDeviceBlas
{
    private readonly EmulatedBlas _blas = new(device);

    public void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null)
    {
        GemmValidation.Validate(transA, transB, m, n, k, a, b, c, batchCount);
        var target = stream ?? device.DefaultStream;
        if (target is EmulatedStream { Capture: { } nodes } s && s.Device == device)
        {
            // The node runs on the replaying stream, which is not capturing then, so the inner GEMM's copies are allowed.
            nodes.Add(() => _blas.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, batchCount));
            return;
        }
        _blas.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, batchCount, stream);
    }
}
