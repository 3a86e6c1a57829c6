namespace PaliCuda.Emulation;

// cp.async: each thread's copies are read from global memory when issued and land in shared memory only
// when a cp.async.wait_group / wait_all retires their group. Until then the destination bytes are marked
// in flight, and any load, store, atomic or ldmatrix that touches them is reported: on a GPU such an access
// races with the copy and sees either value.
internal sealed partial class KernelExecution
{
    private sealed class AsyncCopy
    {
        public required int Thread { get; init; }
        public required int SharedOffset { get; init; }
        public required byte[] Bytes { get; init; }
        public required int Line { get; init; }
    }

    /// <summary>Per thread of the block: copies issued since the last commit_group.</summary>
    private List<AsyncCopy>?[] _asyncOpen = Array.Empty<List<AsyncCopy>?>();
    /// <summary>Per thread of the block: committed groups, oldest first.</summary>
    private List<List<AsyncCopy>>?[] _asyncGroups = Array.Empty<List<List<AsyncCopy>>?>();
    /// <summary>Per shared byte: how many copies in flight will write it (allocated on the first cp.async).</summary>
    private ushort[]? _asyncPending;
    private int _asyncInFlight;

    private void CpAsync(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        int size = ins.SubOp;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong dst = R[ins.A * 32 + l] + (ulong)ins.Offset;
            Resolve(StateSpace.Shared, dst, size, l, w, out int dstOffset);
            int sourceBytes = size;
            if ((ins.Flags & InstrFlags.SourceSize) != 0)
            {
                ulong requested = R[ins.C * 32 + l] & 0xFFFF_FFFF;
                if (requested > (ulong)size) throw Fail(l, $"cp.async src-size {requested} exceeds its cp-size {size}", null);
                sourceBytes = (int)requested;
            }
            else if ((ins.Flags & InstrFlags.IgnoreSource) != 0 && (R[ins.C * 32 + l] & 1) != 0) sourceBytes = 0;
            var bytes = new byte[size];
            if (sourceBytes > 0)
            {
                ulong src = R[ins.B * 32 + l] + (ulong)ins.SourceOffset;
                var region = Resolve(StateSpace.Global, src, sourceBytes, l, w, out int srcOffset, alignment: size);
                CheckInitialized(region, srcOffset, sourceBytes, l, src);
                region.Data.AsSpan(srcOffset, sourceBytes).CopyTo(bytes);
            }
            CheckSharedWrite(dstOffset, size, l, w, dst);
            int thread = w.Index * 32 + l;
            _asyncPending ??= new ushort[_shared.Length];
            for (int i = 0; i < size; i++) _asyncPending[dstOffset + i]++;
            _asyncInFlight++;
            (_asyncOpen[thread] ??= new List<AsyncCopy>()).Add(new AsyncCopy { Thread = thread, SharedOffset = dstOffset, Bytes = bytes, Line = ins.Line });
        }
    }

    private void CpAsyncCommit(uint m, WarpState w)
    {
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0) Commit(w.Index * 32 + l);
    }

    /// <summary>An empty group is still a group: wait_group counts it, as pipelines that commit every stage rely on.</summary>
    private void Commit(int thread)
    {
        var open = _asyncOpen[thread];
        _asyncOpen[thread] = null;
        (_asyncGroups[thread] ??= new List<List<AsyncCopy>>()).Add(open ?? new List<AsyncCopy>());
    }

    private void CpAsyncWait(ref DecodedInstruction ins, uint m, WarpState w)
    {
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            int thread = w.Index * 32 + l;
            int keep = ins.SubOp;
            if (keep == PtxDecoder.WaitAll)
            {
                Commit(thread);
                keep = 0;
            }
            var groups = _asyncGroups[thread];
            if (groups == null) continue;
            while (groups.Count > keep)
            {
                foreach (var copy in groups[0]) Retire(copy, l, w);
                groups.RemoveAt(0);
            }
        }
    }

    private void Retire(AsyncCopy copy, int lane, WarpState w)
    {
        copy.Bytes.CopyTo(_shared.Data, copy.SharedOffset);
        _shared.MarkInitialized(copy.SharedOffset, copy.Bytes.Length);
        for (int i = 0; i < copy.Bytes.Length; i++) _asyncPending![copy.SharedOffset + i]--;
        _asyncInFlight--;
        NoteSharedWrite(copy.SharedOffset, copy.Bytes.Length, lane, w);
    }

    /// <summary>Resets the per-thread copy queues for a new block.</summary>
    private void ResetAsyncCopies(int threads)
    {
        if (_asyncOpen.Length != threads)
        {
            _asyncOpen = new List<AsyncCopy>?[threads];
            _asyncGroups = new List<List<AsyncCopy>>?[threads];
        }
        else
        {
            Array.Clear(_asyncOpen);
            Array.Clear(_asyncGroups);
        }
        if (_asyncPending != null) Array.Clear(_asyncPending);
        _asyncInFlight = 0;
    }

    /// <summary>Throws when an access overlaps shared bytes a cp.async has not yet written.</summary>
    private void CheckAsyncPending(int offset, int size, int lane, ulong address, string access)
    {
        var pending = _asyncPending!;
        for (int i = offset; i < offset + size; i++)
        {
            if (pending[i] == 0) continue;
            var copy = FindPendingCopy(i);
            string who = copy == null ? "a cp.async" : $"a cp.async issued by thread {ThreadName(copy.Thread)} at PTX line {copy.Line}";
            throw Fail(lane, $"{access} of shared byte {i} that {who} has not yet written: retire the copy with " +
                             "cp.async.wait_group/wait_all first (and a barrier when another thread issued it)", address);
        }
    }

    private AsyncCopy? FindPendingCopy(int sharedByte)
    {
        bool Covers(AsyncCopy c) => sharedByte >= c.SharedOffset && sharedByte < c.SharedOffset + c.Bytes.Length;
        foreach (var open in _asyncOpen)
            if (open != null) foreach (var c in open) if (Covers(c)) return c;
        foreach (var groups in _asyncGroups)
            if (groups != null) foreach (var g in groups) foreach (var c in g) if (Covers(c)) return c;
        return null;
    }

    /// <summary>"(x,y,z)" of a thread index of the block.</summary>
    private string ThreadName(int thread)
    {
        long tx = thread % _block.X, ty = thread / _block.X % _block.Y, tz = thread / ((long)_block.X * _block.Y);
        return $"({tx},{ty},{tz})";
    }
}
