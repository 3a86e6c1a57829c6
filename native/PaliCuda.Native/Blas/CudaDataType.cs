namespace PaliCuda.Native.Blas;

/// <summary><c>cudaDataType_t</c> values for real element types (numbering from <c>library_types.h</c>).</summary>
public enum CudaDataType
{
    Float32 = 0,
    Float64 = 1,
    Float16 = 2,
    Int8 = 3,
    UInt8 = 8,
    Int32 = 10,
    BFloat16 = 14,
}
