namespace PaliCuda.Native.Blas;

/// <summary><c>cublasMath_t</c>.</summary>
[Flags]
public enum CublasMath
{
    Default = 0,
    /// <summary>Deprecated by cuBLAS; same as <see cref="CublasComputeType.Compute32FFast16F"/>.</summary>
    TensorOp = 1,
    Pedantic = 2,
    Tf32TensorOp = 3,
    /// <summary>Forbids reduced-precision reductions inside GEMMs with 16-bit outputs.</summary>
    DisallowReducedPrecisionReduction = 16,
}
