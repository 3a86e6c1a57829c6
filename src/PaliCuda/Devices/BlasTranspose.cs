namespace PaliCuda.Devices;

/// <summary>Whether a GEMM operand is used as stored or transposed (cuBLAS <c>CUBLAS_OP_N</c> / <c>CUBLAS_OP_T</c>).</summary>
public enum BlasTranspose
{
    None,
    Transpose,
}
