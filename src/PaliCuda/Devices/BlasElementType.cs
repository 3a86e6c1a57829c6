namespace PaliCuda.Devices;

/// <summary>Element type of a GEMM operand in device memory.</summary>
public enum BlasElementType
{
    Float32,
    BFloat16,
}
