using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>A kernel inside a <see cref="CudaModule"/>; valid as long as the module is.</summary>
public sealed unsafe class CudaFunction
{
    private readonly nint function;

    internal CudaFunction(CudaModule module, nint function, string name)
    {
        Module = module;
        this.function = function;
        Name = name;
    }

    public CudaModule Module { get; }

    public string Name { get; }

    /// <summary>The raw <c>CUfunction</c>, for interop only.</summary>
    public nint NativeHandle => Module.IsClosed ? throw new ObjectDisposedException(nameof(CudaModule), $"The module holding kernel {Name} was disposed.") : function;

    /// <summary>Largest block this kernel can launch with, given its register use.</summary>
    public int MaxThreadsPerBlock => GetAttribute(CuFunctionAttribute.MaxThreadsPerBlock);

    public int RegisterCount => GetAttribute(CuFunctionAttribute.NumRegisters);

    public int StaticSharedMemoryBytes => GetAttribute(CuFunctionAttribute.SharedSizeBytes);

    public int GetAttribute(CuFunctionAttribute attribute)
    {
        int value = 0;
        Check(CudaDriverApi.cuFuncGetAttribute(&value, attribute, NativeHandle), $"cuFuncGetAttribute({attribute}, {Name})");
        return value;
    }

    public void SetAttribute(CuFunctionAttribute attribute, int value) =>
        Check(CudaDriverApi.cuFuncSetAttribute(NativeHandle, attribute, value), $"cuFuncSetAttribute({attribute}, {value}, {Name})");

    /// <summary>Allows launches with up to <paramref name="bytes"/> of dynamic shared memory (needed above 48 KiB).</summary>
    public void SetMaxDynamicSharedMemory(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        SetAttribute(CuFunctionAttribute.MaxDynamicSharedSizeBytes, bytes);
    }

    /// <summary>
    /// Queues the kernel on <paramref name="stream"/> (null: legacy default stream) in the calling thread's
    /// current context. Allocation-free; launch-time faults surface at the next synchronizing call.
    /// </summary>
    public void Launch(Dim3 grid, Dim3 block, int dynamicSharedMemoryBytes, CudaStream? stream, KernelArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfNegative(dynamicSharedMemoryBytes);
        var result = CudaDriverApi.cuLaunchKernel(
            NativeHandle,
            grid.X, grid.Y, grid.Z,
            block.X, block.Y, block.Z,
            (uint)dynamicSharedMemoryBytes,
            CudaStream.HandleOf(stream),
            arguments.GetParameterArray(),
            null);
        if (result != CuResult.Success)
        {
            throw new CudaException(result, $"cuLaunchKernel({Name}, grid {grid}, block {block}, {dynamicSharedMemoryBytes} B dynamic shared)");
        }
    }

    public override string ToString() => Name;
}
