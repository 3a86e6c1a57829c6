namespace PaliCuda.Emulation;

/// <summary>
/// Bounds on what a PTX module may declare, checked while loading (a <see cref="PtxFormatException"/> names the line).
/// PTX handed to the emulator can be hostile: without them one line such as <c>.reg .b32 %r&lt;200000000&gt;;</c> or
/// <c>.global .b8 g[4000000000];</c> makes the loader allocate gigabytes or overflow a size. Each bound is CUDA's own
/// limit where one exists, otherwise far above anything the project's kernels declare.
/// </summary>
internal static class PtxLimits
{
    /// <summary>Registers one function may declare: the project's largest kernel declares under 4,000 per type; each
    /// register costs 256 bytes per emulated warp, so this caps a warp's register file at 16 MiB.</summary>
    public const int MaxRegisters = 1 << 16;

    /// <summary>Elements of one array variable (any state space).</summary>
    public const long MaxArrayElements = 1L << 28;

    /// <summary>Largest .align accepted (a power of two).</summary>
    public const int MaxAlignment = 1 << 12;

    /// <summary>Bytes of all .global variables of one module together, allocated on the device heap at load.</summary>
    public const long MaxModuleGlobalBytes = 1L << 28;

    /// <summary>CUDA's constant bank size.</summary>
    public const long MaxConstBytes = 64 * 1024;

    /// <summary>CUDA's limit on a kernel's parameter block (CUDA 12.1 and later; older drivers allow 4 KB).</summary>
    public const long MaxParameterBytes = 32764;

    /// <summary>CUDA's limit on local memory per thread.</summary>
    public const long MaxLocalBytesPerThread = 512 * 1024;

    /// <summary>Bytes of one variable, in 64 bits so no declaration can overflow it.</summary>
    public static long SizeOf(PtxVariableSyntax v) =>
        (long)PtxTypes.SizeOf(PtxTypes.Parse(v.ElementType)!.Value) * v.ElementCount;
}
