namespace PaliCuda.Native.Driver;

/// <summary>Free and total device memory as seen from a context (<c>cuMemGetInfo</c>).</summary>
public readonly record struct CudaMemoryInfo(long FreeBytes, long TotalBytes)
{
    public long UsedBytes => TotalBytes - FreeBytes;
}
