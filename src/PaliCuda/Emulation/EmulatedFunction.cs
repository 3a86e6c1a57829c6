using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>A decoded kernel of an emulated module, with its launch attributes.</summary>
public sealed class EmulatedFunction : IDeviceFunction
{
    /// <summary>Dynamic shared memory allowed without the opt-in attribute (CUDA's 48 KB default).</summary>
    public const int DefaultDynamicSharedLimit = 48 * 1024;
    /// <summary>The most shared memory one block may use on sm_80 (163 KB), static plus dynamic.</summary>
    public const int MaxSharedPerBlock = 163 * 1024;

    internal EmulatedFunction(DecodedKernel kernel)
    {
        Kernel = kernel;
        MaxDynamicSharedBytes = Math.Max(0, Math.Min(DefaultDynamicSharedLimit, MaxSharedPerBlock - kernel.StaticSharedBytes));
    }

    internal DecodedKernel Kernel { get; }

    public string Name => Kernel.Name;

    public int MaxThreadsPerBlock => Kernel.DeclaredMaxThreads > 0 ? Math.Min(1024, Kernel.DeclaredMaxThreads) : 1024;

    public int StaticSharedBytes => Kernel.StaticSharedBytes;

    public int MaxDynamicSharedBytes { get; private set; }

    public IReadOnlyList<KernelParameterInfo> Parameters => Kernel.Parameters;

    /// <summary>Number of decoded instructions (for diagnostics).</summary>
    public int InstructionCount => Kernel.Code.Length;

    public void SetMaxDynamicSharedBytes(int bytes)
    {
        if (bytes < 0 || bytes + StaticSharedBytes > MaxSharedPerBlock)
            throw new ArgumentOutOfRangeException(nameof(bytes),
                $"Kernel '{Name}': {bytes} dynamic + {StaticSharedBytes} static shared bytes exceed the {MaxSharedPerBlock}-byte per-block limit.");
        MaxDynamicSharedBytes = bytes;
    }
}
