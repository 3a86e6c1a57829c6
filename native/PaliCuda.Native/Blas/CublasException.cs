namespace PaliCuda.Native.Blas;

/// <summary>A cuBLAS or cuBLASLt call returned something other than <see cref="CublasStatus.Success"/>.</summary>
public sealed class CublasException : Exception
{
    public CublasException(CublasStatus status, string call)
        : base($"{call} failed with {CublasStatusText.Name(status)} ({(int)status}): {CublasStatusText.Description(status)}")
    {
        Status = status;
        Call = call;
        StatusName = CublasStatusText.Name(status);
    }

    public CublasStatus Status { get; }

    /// <summary>The source text of the failing call.</summary>
    public string Call { get; }

    /// <summary>The C name of the status, e.g. <c>CUBLAS_STATUS_NOT_INITIALIZED</c>.</summary>
    public string StatusName { get; }
}
