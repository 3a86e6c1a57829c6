namespace PaliCuda.Emulation;

/// <summary>Checks the emulator performs beyond the always-on bounds, alignment, barrier, collective and
/// launch-shape checks, and how it schedules blocks.</summary>
public sealed record EmulatorOptions
{
    /// <summary>Report reads of global or shared memory that was never written (default on).</summary>
    public bool DetectUninitializedReads { get; init; } = true;

    /// <summary>Report two threads of different warps touching the same shared byte, at least one writing, with
    /// no barrier between them (default on). Lanes of one warp run in lockstep here and are treated as ordered.</summary>
    public bool DetectSharedRaces { get; init; } = true;

    /// <summary>Report two blocks of one launch writing the same global byte with plain stores (default on):
    /// blocks run in no guaranteed order, so the final value would depend on scheduling. Atomics are exempt.</summary>
    public bool DetectCrossBlockWriteConflicts { get; init; } = true;

    /// <summary>Append the faulting thread's registers to every <see cref="EmulatorException"/> about a thread (default off).</summary>
    public bool DumpRegistersOnFault { get; init; }

    /// <summary>Run the blocks of a launch on several host threads (default off: on the shared 2-core build machine it
    /// measured slower, see docs/EMULATOR.md). Results do not depend on it:
    /// blocks of a correct kernel are independent; shared memory, locals and checks are per block.</summary>
    public bool ParallelBlocks { get; init; }

    /// <summary>Host threads for <see cref="ParallelBlocks"/>; 0 means one per processor.</summary>
    public int MaxParallelism { get; init; }

    /// <summary>When set, every .approx result (ex2, lg2, rcp, rsqrt, sqrt, sin, cos, tanh, div.approx) is moved
    /// by a deterministic pseudo-random amount within the PTX ISA's documented error bound for that instruction,
    /// seeded by this value, so tests can show their tolerances cover any conforming GPU. Null: exact results.</summary>
    public int? ApproximationPerturbationSeed { get; init; }

    /// <summary>Most warp-instructions one launch may issue before it is stopped with an <see cref="EmulatorException"/>
    /// (null, the default: no limit). PTX from an untrusted source can loop forever; a host that runs such text sets
    /// this so a launch always returns. With <see cref="ParallelBlocks"/> the limit applies to each host worker's share.</summary>
    public long? MaxWarpInstructions
    {
        get => _maxWarpInstructions;
        init => _maxWarpInstructions = value is null or > 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxWarpInstructions), value, "must be at least 1 (or null for no limit)");
    }

    private readonly long? _maxWarpInstructions;

    private static readonly AsyncLocal<EmulatorOptions?> Ambient = new();

    /// <summary>The options an <see cref="EmulatedDevice"/> created without explicit options takes: those of the
    /// innermost <see cref="Use"/> scope on this logical call path, else the defaults.</summary>
    public static EmulatorOptions? Current => Ambient.Value;

    /// <summary>Makes <paramref name="options"/> the default for emulated devices created (directly or by the
    /// engine) until the returned scope is disposed, so code that builds its own device can be run checked or perturbed.</summary>
    public static IDisposable Use(EmulatorOptions options)
    {
        var previous = Ambient.Value;
        Ambient.Value = options;
        return new Scope(previous);
    }

    private sealed class Scope(EmulatorOptions? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Ambient.Value = previous;
        }
    }
}
