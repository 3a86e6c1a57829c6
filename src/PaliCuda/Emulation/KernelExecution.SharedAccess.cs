namespace PaliCuda.Emulation;

// Checks on every shared-memory access: bytes still owed by an in-flight cp.async, and races between
// barriers. The race rule: within one barrier interval (between two bar.sync of the block), two accesses to
// one shared byte by threads of different warps, at least one a write, are a race. Lanes of one warp run in
// lockstep in the emulator, and code that relies on that (warp-synchronous reductions) is common, so
// accesses within one warp are treated as ordered. Atomics are neither recorded nor checked.
internal sealed partial class KernelExecution
{
    /// <summary>Who last wrote a shared byte, and up to two readers from different warps, in which interval.</summary>
    private struct SharedByteHistory
    {
        public int WriteInterval, Writer, WriteLine;
        public int ReadInterval, Reader, ReadLine, Reader2, Read2Line;
    }

    private SharedByteHistory[]? _sharedHistory;
    /// <summary>Barrier interval counter; never reset, so histories of earlier blocks are simply stale.</summary>
    private int _interval;

    private void BeginSharedInterval() => _interval++;

    private void CheckSharedRead(int offset, int size, int lane, WarpState w, ulong address)
    {
        if (_asyncInFlight > 0) CheckAsyncPending(offset, size, lane, address, "read");
        if (!_options.DetectSharedRaces) return;
        var h = _sharedHistory ??= new SharedByteHistory[_shared.Length];
        int thread = w.Index * 32 + lane, warp = w.Index, line = _code[_pc].Line;
        for (int i = offset; i < offset + size; i++)
        {
            ref var b = ref h[i];
            if (b.WriteInterval == _interval && b.Writer >> 5 != warp)
                throw Race(lane, i, address, b.Writer, b.WriteLine, "write", "read");
            if (b.ReadInterval != _interval)
            {
                b.ReadInterval = _interval;
                b.Reader = thread;
                b.ReadLine = line;
                b.Reader2 = -1;
            }
            else if (b.Reader2 < 0 && b.Reader >> 5 != warp)
            {
                b.Reader2 = thread;
                b.Read2Line = line;
            }
        }
    }

    private void CheckSharedWrite(int offset, int size, int lane, WarpState w, ulong address)
    {
        if (_asyncInFlight > 0) CheckAsyncPending(offset, size, lane, address, "write");
        if (_options.DetectSharedRaces) RecordSharedWrite(offset, size, lane, w, address, _code[_pc].Line);
    }

    private void CheckSharedAtomic(int offset, int size, int lane, WarpState w, ulong address)
    {
        if (_asyncInFlight > 0) CheckAsyncPending(offset, size, lane, address, "atomic");
    }

    /// <summary>A write performed on a thread's behalf outside a store (a retired cp.async), at the current instruction.</summary>
    private void NoteSharedWrite(int offset, int size, int lane, WarpState w)
    {
        if (_options.DetectSharedRaces) RecordSharedWrite(offset, size, lane, w, (ulong)offset, _code[_pc].Line);
    }

    private void RecordSharedWrite(int offset, int size, int lane, WarpState w, ulong address, int line)
    {
        var h = _sharedHistory ??= new SharedByteHistory[_shared.Length];
        int thread = w.Index * 32 + lane, warp = w.Index;
        for (int i = offset; i < offset + size; i++)
        {
            ref var b = ref h[i];
            if (b.WriteInterval == _interval && b.Writer >> 5 != warp)
                throw Race(lane, i, address, b.Writer, b.WriteLine, "write", "write");
            if (b.ReadInterval == _interval)
            {
                if (b.Reader >> 5 != warp) throw Race(lane, i, address, b.Reader, b.ReadLine, "read", "write");
                if (b.Reader2 >= 0 && b.Reader2 >> 5 != warp) throw Race(lane, i, address, b.Reader2, b.Read2Line, "read", "write");
            }
            b.WriteInterval = _interval;
            b.Writer = thread;
            b.WriteLine = line;
        }
    }

    private EmulatorException Race(int lane, int sharedByte, ulong address, int otherThread, int otherLine, string otherAccess, string access) =>
        Fail(lane, $"shared-memory race on byte {sharedByte}: this {access} and a {otherAccess} by thread {ThreadName(otherThread)} " +
                   $"(warp {otherThread >> 5}) at PTX line {otherLine} `{_k.LineText(otherLine)}` happen in one barrier interval; " +
                   "separate them with __syncthreads()", address);
}
