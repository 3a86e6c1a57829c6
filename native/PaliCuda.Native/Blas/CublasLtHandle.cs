using PaliCuda.Native.Driver;
using static PaliCuda.Native.Blas.CublasCheck;

namespace PaliCuda.Native.Blas;

/// <summary>An owned cuBLASLt handle; only its lifetime is bound so far (matmul descriptors come later).</summary>
public sealed unsafe class CublasLtHandle : CudaResource
{
    private CublasLtHandle(CudaContext context, nint handle)
        : base(context, handle)
    {
    }

    public static CublasLtHandle Create(CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CublasLtLibrary.Require();
        nint handle = 0;
        using (context.Enter())
        {
            Check(CublasLtApi.cublasLtCreate(&handle));
        }

        return new CublasLtHandle(context, handle);
    }

    private protected override CuResult Free(nint nativeHandle) =>
        CublasLtApi.cublasLtDestroy(nativeHandle) == CublasStatus.Success ? CuResult.Success : CuResult.ErrorUnknown;
}
