namespace PaliCuda.Native.Blas;

/// <summary><c>cublasOperation_t</c>: how a column-major operand is read.</summary>
public enum CublasOperation
{
    /// <summary>As stored.</summary>
    None = 0,
    Transpose = 1,
    ConjugateTranspose = 2,
}
