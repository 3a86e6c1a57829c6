namespace PaliCuda.Devices;

/// <summary>
/// One column-major GEMM matrix in device memory: its first element, element type, leading dimension (elements
/// between consecutive columns) and, for batched calls, the element distance between consecutive matrices.
/// </summary>
public readonly record struct GemmOperand(DeviceBuffer Buffer, BlasElementType Type, int LeadingDimension, long BatchStride = 0)
{
    public int ElementBytes => Type == BlasElementType.BFloat16 ? 2 : 4;
}
