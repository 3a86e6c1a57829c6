namespace PaliCuda.Native.Blas;

/// <summary>Checks GEMM sizes before cuBLAS sees them, so a mistake names the argument instead of returning INVALID_VALUE.</summary>
internal static class GemmShapeValidation
{
    public static void Validate(
        CublasOperation transA, CublasOperation transB, int m, int n, int k, int lda, int ldb, int ldc, CublasComputeType computeType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        RequireLeadingDimension(nameof(lda), lda, transA == CublasOperation.None ? m : k, "rows of A as stored");
        RequireLeadingDimension(nameof(ldb), ldb, transB == CublasOperation.None ? k : n, "rows of B as stored");
        RequireLeadingDimension(nameof(ldc), ldc, m, "rows of C (m)");
        if (computeType is not (CublasComputeType.Compute32F or CublasComputeType.Compute32FPedantic
            or CublasComputeType.Compute32FFast16F or CublasComputeType.Compute32FFast16BF or CublasComputeType.Compute32FFastTF32))
        {
            throw new ArgumentException($"Alpha and beta are passed as float, which needs an fp32 compute type; got {computeType}.", nameof(computeType));
        }
    }

    private static void RequireLeadingDimension(string name, int value, int rows, string what)
    {
        if (value < Math.Max(1, rows))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Leading dimension must be at least max(1, {what}) = {Math.Max(1, rows)}.");
        }
    }
}
