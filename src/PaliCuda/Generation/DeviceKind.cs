namespace PaliCuda.Generation;

/// <summary>Which backend an engine runs on.</summary>
public enum DeviceKind
{
    /// <summary>Float32 reference backend on the host (<see cref="Backends.Cpu.CpuBackend"/>).</summary>
    Cpu,
    /// <summary>The GPU backend's kernels run by the PTX emulator on the host (bf16, slow; for tests).</summary>
    Emulated,
    /// <summary>The GPU backend on CUDA device 0.</summary>
    Cuda,
}
