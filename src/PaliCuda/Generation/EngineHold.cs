namespace PaliCuda.Generation;

/// <summary>Exclusive use of an engine's backend, from a successful wait on its gate until disposed.</summary>
internal readonly struct EngineHold(SemaphoreSlim gate) : IDisposable
{
    public void Dispose() => gate.Release();
}
