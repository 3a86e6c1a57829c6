namespace PaliCuda.Graph;

/// <summary>Where a buffer's storage comes from and how long it lives.</summary>
public enum BufferKind
{
    /// <summary>Intermediate result; the executor places it in the shared arena by liveness.</summary>
    Activation,
    /// <summary>Named constant loaded from the checkpoint (name = checkpoint tensor name).</summary>
    Weight,
    /// <summary>Written by the host before each run (pixels, token ids, cache positions).</summary>
    Input,
    /// <summary>Persists across runs and graphs of one session (the KV cache).</summary>
    State,
}
