namespace PaliCuda.Native.Blas;

/// <summary><c>cublasStatus_t</c>; member names are the C names in Pascal case (<c>CUBLAS_STATUS_NOT_INITIALIZED</c> is <see cref="NotInitialized"/>).</summary>
public enum CublasStatus
{
    Success = 0,
    NotInitialized = 1,
    AllocFailed = 3,
    InvalidValue = 7,
    ArchMismatch = 8,
    MappingError = 11,
    ExecutionFailed = 13,
    InternalError = 14,
    NotSupported = 15,
    LicenseError = 16,
}
