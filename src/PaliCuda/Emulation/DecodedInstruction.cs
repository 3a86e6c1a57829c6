namespace PaliCuda.Emulation;

/// <summary>
/// One pre-decoded instruction. Every operand is a register index: immediates, symbol addresses and special
/// registers are mapped at load to read-only registers, so the interpreter reads all operands the same way.
/// Vector operands are runs of register indices in the kernel's vector pool.
/// </summary>
internal struct DecodedInstruction
{
    public Opcode Op;
    public PtxType Type;
    /// <summary>Source type of cvt; element type of ld/st; compared type of setp.</summary>
    public PtxType SrcType;
    public StateSpace Space;
    public InstrFlags Flags;
    public RoundingMode Rounding;
    public CompareOp Compare;
    public BoolOp Combine;
    /// <summary>ShflMode / VoteMode / AtomOp, by opcode.</summary>
    public byte SubOp;
    /// <summary>Number of elements of a vector access (1, 2 or 4).</summary>
    public byte VectorCount;
    /// <summary>All-ones mask of the instruction's type width.</summary>
    public ulong Mask;

    public int D, D2, A, B, C, E;
    public int Guard;
    public bool GuardNegated;
    /// <summary>Constant byte offset of an address operand.</summary>
    public long Offset;
    /// <summary>Constant byte offset of the second address operand (the global source of cp.async).</summary>
    public long SourceOffset;
    /// <summary>First index of a vector operand in the kernel's vector pool.</summary>
    public int VectorStart;
    /// <summary>Branch target instruction index.</summary>
    public int Target;
    /// <summary>Reconvergence point of a branch (its immediate post-dominator), or -1 for kernel exit.</summary>
    public int Reconverge;
    /// <summary>PTX source line.</summary>
    public int Line;
}
