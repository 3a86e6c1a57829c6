namespace PaliCuda.Emulation;

/// <summary>
/// One warp: a register file laid out register-major (register r of lane l at r * 32 + l) and the SIMT
/// reconvergence stack. Each stack entry runs its lanes from Pc until Pc reaches Rpc (its reconvergence point).
/// </summary>
internal sealed class WarpState
{
    public struct Entry
    {
        public int Pc;
        public int Rpc;
        public uint Mask;
    }

    public WarpState(int index, int registerCount)
    {
        Index = index;
        Registers = new ulong[registerCount * 32];
    }

    public int Index { get; }
    public ulong[] Registers { get; }
    /// <summary>Lanes backed by a thread of the block (the last warp of a block may be partial).</summary>
    public uint Exists;
    public uint Exited;
    public Entry[] Stack = new Entry[16];
    public int Depth;
    public bool AtBarrier;
    public bool Done;

    public void Push(int pc, uint mask, int rpc)
    {
        if (Depth == Stack.Length) Array.Resize(ref Stack, Stack.Length * 2);
        Stack[Depth++] = new Entry { Pc = pc, Mask = mask, Rpc = rpc };
    }
}
