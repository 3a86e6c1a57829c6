using System.Runtime.InteropServices;
using PaliCuda.Native.Interop;

namespace PaliCuda.Native.Blas;

/// <summary>The cuBLAS entry points this project uses. Handles are <c>nint</c>, device pointers <c>ulong</c>.</summary>
internal static unsafe partial class CublasApi
{
    /// <summary>Logical name mapped to the probed cuBLAS by <see cref="NativeImportResolver"/>.</summary>
    public const string LibraryName = "palicuda-cublas";

    static CublasApi() => NativeImportResolver.EnsureRegistered();

    [LibraryImport(LibraryName)] public static partial CublasStatus cublasCreate_v2(nint* handle);
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasDestroy_v2(nint handle);
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasGetVersion_v2(nint handle, int* version);
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasGetProperty(LibraryPropertyType type, int* value);
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasSetStream_v2(nint handle, nint stream);
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasSetMathMode(nint handle, CublasMath mode);

    [LibraryImport(LibraryName)]
    public static partial CublasStatus cublasGemmEx(
        nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        void* alpha, ulong a, CudaDataType aType, int lda,
        ulong b, CudaDataType bType, int ldb,
        void* beta, ulong c, CudaDataType cType, int ldc,
        CublasComputeType computeType, CublasGemmAlgorithm algorithm);

    [LibraryImport(LibraryName)]
    public static partial CublasStatus cublasGemmStridedBatchedEx(
        nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        void* alpha, ulong a, CudaDataType aType, int lda, long strideA,
        ulong b, CudaDataType bType, int ldb, long strideB,
        void* beta, ulong c, CudaDataType cType, int ldc, long strideC,
        int batchCount, CublasComputeType computeType, CublasGemmAlgorithm algorithm);
}
