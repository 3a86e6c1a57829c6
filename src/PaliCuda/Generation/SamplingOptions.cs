using PaliCuda.Graph;

namespace PaliCuda.Generation;

/// <summary>
/// Token selection, applied in HF's order: temperature, then top-k, then top-p (nucleus), then a draw.
/// Temperature 0 (or <see cref="Greedy"/>) means argmax.
/// </summary>
public sealed record SamplingOptions
{
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    public float Temperature { get; init; } = 1f;
    /// <summary>Keep the k most likely ids; 0 = no limit.</summary>
    public int TopK { get; init; }
    /// <summary>Keep the smallest most-likely set whose probability reaches p; 1 = no limit.</summary>
    public float TopP { get; init; } = 1f;
    /// <summary>Seeds the per-step uniform values (<see cref="DeterministicRandom"/>): same seed, same logits → same tokens.</summary>
    public ulong Seed { get; init; }

    public bool IsGreedy => Temperature <= 0f || TopK == 1;

    /// <summary>The draw's settings (written to the sampling graph's controls input); null when greedy (the graph then takes the argmax).</summary>
    public SampleParameters? Parameters => IsGreedy ? null : new SampleParameters(Temperature, TopK, TopP);

    public void Validate()
    {
        if (float.IsNaN(Temperature) || Temperature < 0) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be ≥ 0");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be ≥ 0 (0 = off)");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
    }
}
