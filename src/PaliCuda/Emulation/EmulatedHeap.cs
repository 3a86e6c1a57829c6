namespace PaliCuda.Emulation;

/// <summary>
/// Global memory of the emulated device. Allocations get fresh addresses that are never reused and are
/// separated by unmapped gaps, so an access just past one allocation, or into a freed one, is caught
/// rather than landing in a neighbour.
/// </summary>
internal sealed class EmulatedHeap
{
    /// <summary>cudaMalloc guarantees at least 256-byte alignment.</summary>
    public const ulong AllocationAlignment = 256;
    /// <summary>Unmapped bytes between allocations.</summary>
    private const ulong GuardGap = 64 * 1024;

    /// <summary>Freed allocations remembered by name, so an access into one says which it was. Older ones are
    /// forgotten (the access still faults, as outside every allocation): a long-running engine frees without end.</summary>
    private const int RememberedFrees = 1024;

    private readonly List<MemoryRegion> _regions = new(); // sorted by Base (addresses only grow)
    private readonly Queue<ulong> _freedBases = new();
    private readonly bool _trackInitialization;
    private ulong _next = AddressMap.HeapBase;
    private MemoryRegion? _lastHit;

    public EmulatedHeap(bool trackInitialization) => _trackInitialization = trackInitialization;

    public long LiveBytes { get; private set; }

    /// <summary>True while a launch runs blocks on several host threads: global atomics then take <see cref="AtomicLock"/>.</summary>
    public bool ConcurrentAccess { get; set; }

    public object AtomicLock { get; } = new();

    public MemoryRegion Allocate(long length, string name)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), $"Cannot allocate {length} bytes.");
        var region = new MemoryRegion(name, _next, length, _trackInitialization);
        _next += ((ulong)Math.Max(length, 1) + AllocationAlignment - 1) / AllocationAlignment * AllocationAlignment + GuardGap;
        _regions.Add(region);
        LiveBytes += length;
        return region;
    }

    public void Free(ulong address)
    {
        var region = FindByStart(address)
            ?? throw new EmulatorException($"Free of 0x{address:X}, which is not the start of a live allocation.");
        region.Live = false;
        LiveBytes -= region.Length;
        if (_lastHit == region) _lastHit = null;
        // The bytes go now; a tombstone keeps the name and extent for a while.
        _regions[IndexAtOrBefore(address)] = region.ToTombstone();
        _freedBases.Enqueue(address);
        if (_freedBases.Count > RememberedFrees) _regions.RemoveAt(IndexAtOrBefore(_freedBases.Dequeue()));
    }

    private MemoryRegion? FindByStart(ulong address)
    {
        int i = IndexAtOrBefore(address);
        return i >= 0 && _regions[i].Base == address && _regions[i].Live ? _regions[i] : null;
    }

    private int IndexAtOrBefore(ulong address)
    {
        int lo = 0, hi = _regions.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (_regions[mid].Base <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    /// <summary>The live allocation holding all of [address, address + size), or null.</summary>
    public MemoryRegion? Find(ulong address, long size)
    {
        var last = _lastHit;
        if (last != null && last.Contains(address, size)) return last;
        int i = IndexAtOrBefore(address);
        if (i < 0) return null;
        var r = _regions[i];
        if (!r.Live || !r.Contains(address, size)) return null;
        _lastHit = r;
        return r;
    }

    /// <summary>Describes what lies at an address, for error messages.</summary>
    public string Describe(ulong address)
    {
        int i = IndexAtOrBefore(address);
        if (i < 0) return "below every allocation";
        var r = _regions[i];
        ulong offset = address - r.Base;
        if (!r.Live && offset < (ulong)Math.Max(1, r.Length)) return $"inside freed allocation '{r.Name}' (offset {offset})";
        if (offset < (ulong)r.Length) return $"offset {offset} of '{r.Name}' ({r.Length} bytes)";
        return $"{offset - (ulong)r.Length} bytes past the end of '{r.Name}' ({r.Length} bytes{(r.Live ? "" : ", freed")})";
    }
}
