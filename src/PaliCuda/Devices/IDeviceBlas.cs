namespace PaliCuda.Devices;

/// <summary>
/// Matrix products on a device with cuBLAS semantics: column-major storage,
/// C = alpha · op(A) · op(B) + beta · C with op(A) m×k, op(B) k×n, C m×n, computed in fp32 whatever the
/// operand types (bf16 or fp32), rounded once into C's type. A batched call repeats this <c>batchCount</c>
/// times, advancing each operand by its <see cref="GemmOperand.BatchStride"/>. The work is ordered on
/// <paramref name="stream"/> like a kernel launch.
/// </summary>
public interface IDeviceBlas
{
    void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null);
}
