using PaliCuda.Kernels;
using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A kernel of a loaded CUDA module, with its parameter layout taken from the PTX <c>.entry</c> declaration.</summary>
internal sealed class CudaDeviceFunction : IDeviceFunction
{
    private readonly int _sharedOptInLimit;

    public CudaDeviceFunction(CudaFunction function, PtxEntry entry, int sharedOptInLimit)
    {
        Native = function;
        Name = entry.Name;
        _sharedOptInLimit = sharedOptInLimit;
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
        StaticSharedBytes = function.StaticSharedMemoryBytes;
        // The driver's own figure: 48 KB less the kernel's static shared memory until the kernel opts in to more.
        MaxDynamicSharedBytes = function.GetAttribute(CuFunctionAttribute.MaxDynamicSharedSizeBytes);
        Arguments = new PaliCuda.Native.Driver.KernelArguments(parameters.Count);
    }

    public CudaFunction Native { get; }
    public string Name { get; }
    public int MaxThreadsPerBlock
    {
        get
        {
            Native.Module.Context.EnsureCurrent();
            return Native.MaxThreadsPerBlock;
        }
    }
    public int StaticSharedBytes { get; }
    public int MaxDynamicSharedBytes { get; private set; }
    public IReadOnlyList<KernelParameterInfo> Parameters { get; }

    /// <summary>The reusable argument block of this kernel's launches (the driver copies the values at each launch).</summary>
    public PaliCuda.Native.Driver.KernelArguments Arguments { get; }

    public void SetMaxDynamicSharedBytes(int bytes)
    {
        if (bytes + StaticSharedBytes > _sharedOptInLimit)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes,
                $"kernel '{Name}' asks for {bytes} B of dynamic shared memory; with its {StaticSharedBytes} B of static shared memory that exceeds the device's {_sharedOptInLimit} B per block");
        // Called from launch paths on whatever thread issues work; the attribute call acts on the current context.
        Native.Module.Context.EnsureCurrent();
        Native.SetMaxDynamicSharedMemory(bytes);
        MaxDynamicSharedBytes = bytes;
    }
}
