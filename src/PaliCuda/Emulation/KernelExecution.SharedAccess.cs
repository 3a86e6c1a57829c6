namespace PaliCuda.Emulation;

// Checks on every shared-memory access: bytes still owed by an in-flight cp.async.
internal sealed partial class KernelExecution
{
    private void CheckSharedRead(int offset, int size, int lane, WarpState w, ulong address)
    {
        if (_asyncInFlight > 0) CheckAsyncPending(offset, size, lane, address, "read");
    }

    private void CheckSharedWrite(int offset, int size, int lane, WarpState w, ulong address)
    {
        if (_asyncInFlight > 0) CheckAsyncPending(offset, size, lane, address, "write");
    }

    private void CheckSharedAtomic(int offset, int size, int lane, WarpState w, ulong address)
    {
        if (_asyncInFlight > 0) CheckAsyncPending(offset, size, lane, address, "atomic");
    }

    /// <summary>A write performed on a thread's behalf outside a store (a retired cp.async).</summary>
    private void NoteSharedWrite(int offset, int size, int lane, WarpState w)
    {
    }
}
