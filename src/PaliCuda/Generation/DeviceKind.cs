namespace PaliCuda.Generation;

/// <summary>Which backend an engine runs on.</summary>
public enum DeviceKind
{
    /// <summary>Float32 reference backend on the host (<see cref="Backends.Cpu.CpuBackend"/>).</summary>
    Cpu,
}
