namespace PaliCuda.Native.Driver;

/// <summary><c>CUfunction_attribute</c>: what a loaded kernel reports about itself (numbering from <c>cuda.h</c>).</summary>
public enum CuFunctionAttribute
{
    MaxThreadsPerBlock = 0,
    SharedSizeBytes = 1,
    ConstSizeBytes = 2,
    LocalSizeBytes = 3,
    NumRegisters = 4,
    PtxVersion = 5,
    BinaryVersion = 6,
    CacheModeCa = 7,
    /// <summary>Settable: the largest dynamic shared memory a launch may request (above 48 KiB needs opting in).</summary>
    MaxDynamicSharedSizeBytes = 8,
    PreferredSharedMemoryCarveout = 9,
}
