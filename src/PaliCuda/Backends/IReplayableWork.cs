namespace PaliCuda.Backends;

/// <summary>Device work recorded once (a captured graph) and replayed as a whole; it reads its inputs from device buffers at replay time.</summary>
public interface IReplayableWork : IDisposable
{
    /// <summary>Recorded operations (kernel launches, GEMMs, device copies).</summary>
    int NodeCount { get; }

    /// <summary>Queues the recorded work on the backend's stream.</summary>
    void Replay();
}
