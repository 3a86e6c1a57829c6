using PaliCuda.Native.Driver;
using static PaliCuda.Native.Blas.CublasCheck;

namespace PaliCuda.Native.Blas;

/// <summary>
/// An owned cuBLAS handle bound to a context. GEMMs are column-major, as in cuBLAS itself: a row-major
/// <c>C = A·B</c> is the column-major <c>Cᵀ = Bᵀ·Aᵀ</c>, i.e. swap the operands and m/n. Alpha and beta are
/// host floats, so the compute type must accumulate in fp32. Calls run on the calling thread's current context.
/// </summary>
public sealed unsafe class CublasHandle : CudaResource
{
    private CudaStream? stream;

    private CublasHandle(CudaContext context, nint handle)
        : base(context, handle)
    {
    }

    /// <summary>The stream work is queued on (null: legacy default stream). The handle keeps it referenced.</summary>
    public CudaStream? Stream => stream;

    public static CublasHandle Create(CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CublasLibrary.Require();
        nint handle = 0;
        using (context.Enter())
        {
            Check(CublasApi.cublasCreate_v2(&handle));
        }

        return new CublasHandle(context, handle);
    }

    /// <summary>The <c>CUBLAS_VERSION</c> number (<c>major × 10000 + minor × 100 + patch</c>).</summary>
    public int GetVersion()
    {
        int version = 0;
        Check(CublasApi.cublasGetVersion_v2(NativeHandle, &version));
        return version;
    }

    public void SetStream(CudaStream? newStream)
    {
        Check(CublasApi.cublasSetStream_v2(NativeHandle, CudaStream.HandleOf(newStream)));
        stream = newStream;
    }

    /// <summary>
    /// Gives cuBLAS a workspace it uses instead of allocating its own (needed for graph capture on some
    /// versions). Returns false, changing nothing, when this cuBLAS has no <c>cublasSetWorkspace_v2</c>.
    /// The caller keeps the memory alive for as long as the handle uses it.
    /// </summary>
    public bool TrySetWorkspace(DevicePointer workspace, long byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        if (CublasOptionalApi.SetWorkspace is null)
        {
            return false;
        }

        Check(CublasOptionalApi.SetWorkspace(NativeHandle, workspace.Address, (nuint)byteCount), "cublasSetWorkspace_v2");
        return true;
    }

    public void SetMathMode(CublasMath mode) => Check(CublasApi.cublasSetMathMode(NativeHandle, mode));

    /// <summary><c>C = alpha · op(A) · op(B) + beta · C</c> with column-major m×k op(A), k×n op(B), m×n C.</summary>
    public void GemmEx(
        CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, DevicePointer a, CudaDataType aType, int lda,
        DevicePointer b, CudaDataType bType, int ldb,
        float beta, DevicePointer c, CudaDataType cType, int ldc,
        CublasComputeType computeType = CublasComputeType.Compute32F,
        CublasGemmAlgorithm algorithm = CublasGemmAlgorithm.Default)
    {
        GemmShapeValidation.Validate(transA, transB, m, n, k, lda, ldb, ldc, computeType);
        var status = CublasApi.cublasGemmEx(
            NativeHandle, transA, transB, m, n, k,
            &alpha, a.Address, aType, lda,
            b.Address, bType, ldb,
            &beta, c.Address, cType, ldc,
            computeType, algorithm);
        if (status != CublasStatus.Success)
        {
            throw new CublasException(status, $"cublasGemmEx({transA}, {transB}, m={m}, n={n}, k={k}, A {aType} lda={lda}, B {bType} ldb={ldb}, C {cType} ldc={ldc}, {computeType})");
        }
    }

    /// <summary><see cref="GemmEx"/> over <paramref name="batchCount"/> matrices spaced by the given element strides.</summary>
    public void GemmStridedBatchedEx(
        CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float alpha, DevicePointer a, CudaDataType aType, int lda, long strideA,
        DevicePointer b, CudaDataType bType, int ldb, long strideB,
        float beta, DevicePointer c, CudaDataType cType, int ldc, long strideC,
        int batchCount,
        CublasComputeType computeType = CublasComputeType.Compute32F,
        CublasGemmAlgorithm algorithm = CublasGemmAlgorithm.Default)
    {
        GemmShapeValidation.Validate(transA, transB, m, n, k, lda, ldb, ldc, computeType);
        ArgumentOutOfRangeException.ThrowIfNegative(batchCount);
        ArgumentOutOfRangeException.ThrowIfNegative(strideA);
        ArgumentOutOfRangeException.ThrowIfNegative(strideB);
        ArgumentOutOfRangeException.ThrowIfNegative(strideC);
        var status = CublasApi.cublasGemmStridedBatchedEx(
            NativeHandle, transA, transB, m, n, k,
            &alpha, a.Address, aType, lda, strideA,
            b.Address, bType, ldb, strideB,
            &beta, c.Address, cType, ldc, strideC,
            batchCount, computeType, algorithm);
        if (status != CublasStatus.Success)
        {
            throw new CublasException(status, $"cublasGemmStridedBatchedEx({transA}, {transB}, m={m}, n={n}, k={k}, batch={batchCount}, A {aType} lda={lda}, B {bType} ldb={ldb}, C {cType} ldc={ldc}, {computeType})");
        }
    }

    // The driver-facing base class speaks CuResult; any cuBLAS failure on destroy is reported as a failed release.
    private protected override CuResult Free(nint nativeHandle) =>
        CublasApi.cublasDestroy_v2(nativeHandle) == CublasStatus.Success ? CuResult.Success : CuResult.ErrorUnknown;
}
