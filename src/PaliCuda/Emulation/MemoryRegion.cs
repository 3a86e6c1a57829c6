using System.Runtime.CompilerServices;

namespace PaliCuda.Emulation;

/// <summary>
/// A contiguous piece of emulated memory (a global allocation, a block's shared memory, a thread's local
/// depot, the parameter block or a const bank) with an optional shadow bit per byte recording whether the
/// byte was ever written, so reads of never-written memory can be reported.
/// </summary>
internal sealed class MemoryRegion
{
    public MemoryRegion(string name, ulong baseAddress, long length, bool trackInitialization)
    {
        if (length > Array.MaxLength)
            throw new EmulatorException($"Emulated allocation of {length} bytes exceeds the emulator's limit of {Array.MaxLength} bytes.");
        Name = name;
        Base = baseAddress;
        Data = new byte[length];
        Length = length;
        InitBits = trackInitialization ? new ulong[(length + 63) / 64] : null;
    }

    private MemoryRegion(string name, ulong baseAddress, long length)
    {
        Name = name;
        Base = baseAddress;
        Data = [];
        Length = length;
        Live = false;
    }

    /// <summary>What remains of a freed allocation: its name and extent (for error messages), not its bytes.</summary>
    public MemoryRegion ToTombstone() => new(Name, Base, Length);

    public string Name { get; }
    public ulong Base { get; }
    public byte[] Data { get; }
    public long Length { get; }
    /// <summary>One bit per byte: set once the byte has been written. Null when not tracked.</summary>
    public ulong[]? InitBits { get; }
    public bool Live { get; set; } = true;

    public bool Contains(ulong address, long size) =>
        address >= Base && address - Base <= (ulong)Length && (ulong)Length - (address - Base) >= (ulong)size;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsInitialized(long offset, int size)
    {
        var bits = InitBits;
        if (bits == null) return true;
        for (long i = offset; i < offset + size; i++)
            if ((bits[i >> 6] & (1UL << (int)(i & 63))) == 0) return false;
        return true;
    }

    /// <summary>Sets the shadow bits a word at a time, atomically: blocks running on other host threads may be
    /// marking neighbouring bytes of the same word.</summary>
    public void MarkInitialized(long offset, long size)
    {
        var bits = InitBits;
        if (bits == null || size <= 0) return;
        long end = offset + size;
        for (long word = offset >> 6; word <= (end - 1) >> 6; word++)
        {
            long from = Math.Max(offset, word << 6) - (word << 6), to = Math.Min(end, (word + 1) << 6) - (word << 6);
            ulong mask = to - from == 64 ? ulong.MaxValue : ((1UL << (int)(to - from)) - 1) << (int)from;
            if ((bits[word] & mask) != mask) Interlocked.Or(ref bits[word], mask);
        }
    }

    public void ClearInitialized()
    {
        if (InitBits != null) Array.Clear(InitBits);
    }
}
