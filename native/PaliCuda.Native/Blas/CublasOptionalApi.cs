namespace PaliCuda.Native.Blas;

/// <summary>cuBLAS entry points that some versions lack, resolved by name so their absence is a capability, not a crash.</summary>
internal static unsafe class CublasOptionalApi
{
    /// <summary><c>cublasSetWorkspace_v2(handle, void* workspace, size_t bytes)</c> (cuBLAS 11.3 and later).</summary>
    public static readonly delegate* unmanaged<nint, ulong, nuint, CublasStatus> SetWorkspace =
        (delegate* unmanaged<nint, ulong, nuint, CublasStatus>)CublasNativeLibraries.Cublas.TryGetExport("cublasSetWorkspace_v2");

    /// <summary><c>const char* cublasGetStatusName(cublasStatus_t)</c> (cuBLAS 11.4.2 and later).</summary>
    public static readonly delegate* unmanaged<CublasStatus, byte*> GetStatusName =
        (delegate* unmanaged<CublasStatus, byte*>)CublasNativeLibraries.Cublas.TryGetExport("cublasGetStatusName");

    /// <summary><c>const char* cublasGetStatusString(cublasStatus_t)</c> (cuBLAS 11.4.2 and later).</summary>
    public static readonly delegate* unmanaged<CublasStatus, byte*> GetStatusString =
        (delegate* unmanaged<CublasStatus, byte*>)CublasNativeLibraries.Cublas.TryGetExport("cublasGetStatusString");
}
