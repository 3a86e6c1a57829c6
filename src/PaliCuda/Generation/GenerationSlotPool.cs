namespace PaliCuda.Generation;

/// <summary>
/// An engine's idle <see cref="GenerationSlot"/>s, most recently returned first, at most <c>maxIdle</c> of them (the
/// least recently used is disposed to make room; 0 keeps none). Its own lock makes it safe from any thread; the engine
/// calls it while holding its gate anyway, since building and disposing slots is backend work.
/// </summary>
internal sealed class GenerationSlotPool : IDisposable
{
    private readonly LinkedList<GenerationSlot> _idle = [];
    private readonly int _maxIdle;
    private readonly Lock _lock = new();
    private long _built;
    private long _reused;
    private bool _disposed;

    public GenerationSlotPool(int maxIdle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdle);
        _maxIdle = maxIdle;
    }

    public GenerationSlotCounters Counters
    {
        get
        {
            lock (_lock) return new GenerationSlotCounters(_idle.Count, _idle.Sum(s => s.Bytes), _built, _reused);
        }
    }

    /// <summary>
    /// An idle slot of <paramref name="key"/>'s class, or a new one from <paramref name="build"/>. When building runs out
    /// of memory while slots of other classes sit idle, those are released and the build is tried once more.
    /// </summary>
    public GenerationSlot Lease(GenerationSlotKey key, Func<GenerationSlotKey, GenerationSlot> build)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var node = _idle.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                _idle.Remove(node);
                _reused++;
                return node.Value;
            }
        }
        GenerationSlot slot;
        try
        {
            slot = build(key);
        }
        catch (OutOfMemoryException) when (ReleaseIdle() > 0)
        {
            slot = build(key);
        }
        lock (_lock) _built++;
        return slot;
    }

    /// <summary>Keeps <paramref name="slot"/> for the next generation of its class, or disposes it when none may be kept.</summary>
    public void Return(GenerationSlot slot)
    {
        GenerationSlot? evicted = null;
        lock (_lock)
        {
            if (_disposed || _maxIdle == 0) evicted = slot;
            else
            {
                _idle.AddFirst(slot);
                if (_idle.Count > _maxIdle)
                {
                    evicted = _idle.Last!.Value;
                    _idle.RemoveLast();
                }
            }
        }
        evicted?.Dispose();
    }

    /// <summary>Disposes every idle slot; returns how many there were.</summary>
    public int ReleaseIdle()
    {
        List<GenerationSlot> released;
        lock (_lock)
        {
            released = [.. _idle];
            _idle.Clear();
        }
        foreach (var s in released) s.Dispose();
        return released.Count;
    }

    /// <summary>Disposes the idle slots; slots still leased are disposed when they come back.</summary>
    public void Dispose()
    {
        lock (_lock) _disposed = true;
        ReleaseIdle();
    }
}
