namespace PaliCuda.Emulation;

/// <summary>Checks the emulator performs beyond the always-on bounds, alignment and barrier checks.</summary>
public sealed record EmulatorOptions
{
    /// <summary>Report reads of global or shared memory that was never written (default on).</summary>
    public bool DetectUninitializedReads { get; init; } = true;
}
