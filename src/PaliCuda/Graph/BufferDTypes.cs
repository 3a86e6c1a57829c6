namespace PaliCuda.Graph;

/// <summary>Sizes of <see cref="BufferDType"/> elements.</summary>
public static class BufferDTypes
{
    public static int ElementBytes(this BufferDType dtype) => dtype switch
    {
        BufferDType.F32 or BufferDType.I32 => 4,
        BufferDType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown buffer element type"),
    };
}
