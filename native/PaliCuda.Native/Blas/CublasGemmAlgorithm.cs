namespace PaliCuda.Native.Blas;

/// <summary><c>cublasGemmAlgo_t</c>: let cuBLAS choose (heuristics), which is what recent versions recommend.</summary>
public enum CublasGemmAlgorithm
{
    Default = -1,
    /// <summary>Deprecated alias of <see cref="Default"/> since cuBLAS 11.</summary>
    DefaultTensorOp = 99,
}
