namespace PaliCuda.Native.Driver;

/// <summary>What the driver reports about one device, read once (no context needed).</summary>
public sealed record CudaDeviceInfo
{
    public required int Ordinal { get; init; }
    public required string Name { get; init; }
    public required ComputeCapability ComputeCapability { get; init; }
    /// <summary>Streaming multiprocessors.</summary>
    public required int SmCount { get; init; }
    public required long TotalMemoryBytes { get; init; }
    public required int L2CacheBytes { get; init; }
    /// <summary>Shared memory a block gets without opting in (usually 48 KiB).</summary>
    public required int MaxSharedMemoryPerBlock { get; init; }
    /// <summary>Shared memory a block may use after <see cref="CudaFunction.SetMaxDynamicSharedMemory"/>.</summary>
    public required int MaxSharedMemoryPerBlockOptin { get; init; }
    public required int MaxSharedMemoryPerMultiprocessor { get; init; }
    public required int MaxThreadsPerBlock { get; init; }
    public required int MaxThreadsPerMultiprocessor { get; init; }
    public required int MaxRegistersPerBlock { get; init; }
    public required int WarpSize { get; init; }
    /// <summary>Peak SM clock; null where the driver no longer reports it (CUDA 13).</summary>
    public required int? ClockRateKHz { get; init; }
    /// <summary>Peak memory clock; null where the driver no longer reports it (CUDA 13).</summary>
    public required int? MemoryClockKHz { get; init; }
    public required int MemoryBusWidthBits { get; init; }
    public required int AsyncEngineCount { get; init; }
    public required bool Integrated { get; init; }
    /// <summary>PCI location as <c>domain:bus:device</c> in hex, e.g. <c>0000:17:00</c>.</summary>
    public required string PciLocation { get; init; }

    /// <summary>
    /// Theoretical DRAM bandwidth: memory clock × 2 (double data rate) × bus width in bytes.
    /// Null when the memory clock is not reported.
    /// </summary>
    public double? PeakMemoryBandwidthBytesPerSecond =>
        MemoryClockKHz is { } kHz ? kHz * 1000.0 * 2.0 * (MemoryBusWidthBits / 8.0) : null;

    public override string ToString() =>
        $"#{Ordinal} {Name} (sm_{ComputeCapability.SmVersion}, {SmCount} SMs, {TotalMemoryBytes / (1024 * 1024)} MiB)";
}
