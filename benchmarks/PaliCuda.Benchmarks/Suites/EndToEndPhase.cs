namespace PaliCuda.Benchmarks.Suites;

/// <summary>Which part of a generation an end-to-end suite times.</summary>
public enum EndToEndPhase
{
    /// <summary>Image preprocessing, SigLIP, projector, decoder prefill and the first token.</summary>
    TimeToFirstToken,
    /// <summary>One decode step: one token in, the next token out.</summary>
    Decode,
}
