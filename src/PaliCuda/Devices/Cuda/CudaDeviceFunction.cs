using PaliCuda.Kernels;
using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A kernel of a loaded CUDA module, with its parameter layout taken from the PTX <c>.entry</c> declaration.</summary>
internal sealed class CudaDeviceFunction : IDeviceFunction
{
    private const int DefaultDynamicSharedLimit = 48 * 1024;

    public CudaDeviceFunction(CudaFunction function, PtxEntry entry)
    {
        Native = function;
        Name = entry.Name;
        var offset = 0;
        var parameters = new List<KernelParameterInfo>();
        for (var i = 0; i < entry.Parameters.Count; i++)
        {
            var p = entry.Parameters[i];
            var size = p.SizeInBytes;
            var align = p.Align > 0 ? p.Align : size;
            offset = (offset + align - 1) / align * align;
            parameters.Add(new KernelParameterInfo($"param_{i}", offset, size, align));
            offset += size;
        }
        Parameters = parameters;
    }

    public CudaFunction Native { get; }
    public string Name { get; }
    public int MaxThreadsPerBlock => Native.MaxThreadsPerBlock;
    public int StaticSharedBytes => Native.StaticSharedMemoryBytes;
    public int MaxDynamicSharedBytes { get; private set; } = DefaultDynamicSharedLimit;
    public IReadOnlyList<KernelParameterInfo> Parameters { get; }

    public void SetMaxDynamicSharedBytes(int bytes)
    {
        Native.SetMaxDynamicSharedMemory(bytes);
        MaxDynamicSharedBytes = bytes;
    }
}
