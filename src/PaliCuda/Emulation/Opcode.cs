namespace PaliCuda.Emulation;

/// <summary>
/// The executable operation of a decoded instruction, already specialised by signedness and element kind
/// so the interpreter's dispatch is one switch. Widths come from <see cref="DecodedInstruction.Type"/>.
/// </summary>
internal enum Opcode : ushort
{
    Nop,
    Mov, MovPack, MovUnpack, Ld, St, CvtaToSpace, CvtaToGeneric,

    IAdd, ISub, IAddSatS32, ISubSatS32, IMulLo, IMulHiS, IMulHiU, IMulWideS, IMulWideU,
    IMadLo, IMadHiS, IMadHiU, IMadWideS, IMadWideU,
    IDivS, IDivU, IRemS, IRemU, IMinS, IMinU, IMaxS, IMaxU, INeg, IAbs,
    And, Or, Xor, Not, CNot, Shl, ShrU, ShrS, Popc, Clz, Bfind, Brev, BfeU, BfeS, Bfi, Prmt,

    FAdd, FSub, FMul, FFma, FDiv, FMin, FMax, FNeg, FAbs, FSqrt, FRsqrt, FRcp, FEx2, FLg2, FSin, FCos, FTanh,
    DAdd, DSub, DMul, DFma, DDiv, DMin, DMax, DNeg, DAbs, DSqrt, DRcp, DRsqrt,

    SetpS, SetpU, SetpF, SetpD, Selp, Cvt,

    Bra, Exit, BarSync, Shfl, Vote, ActiveMask, Atom,

    Mma, Ldmatrix, CpAsync, CpAsyncCommit, CpAsyncWait,
}

/// <summary>PTX state spaces of memory instructions.</summary>
internal enum StateSpace : byte { Generic, Global, Shared, Local, Param, Const }

/// <summary>Comparison of setp.</summary>
internal enum CompareOp : byte { Eq, Ne, Lt, Le, Gt, Ge, Equ, Neu, Ltu, Leu, Gtu, Geu, Num, Nan }

/// <summary>How setp combines its comparison with the optional third predicate.</summary>
internal enum BoolOp : byte { None, And, Or, Xor }

/// <summary>IEEE rounding of a result (Rn, Rz, Rm, Rp) or rounding to an integral value (Rni…Rpi).</summary>
internal enum RoundingMode : byte { Default, Rn, Rz, Rm, Rp, Rni, Rzi, Rmi, Rpi }

internal enum ShflMode : byte { Up, Down, Bfly, Idx }

internal enum VoteMode : byte { All, Any, Uni, Ballot }

internal enum AtomOp : byte { Add, Min, Max, Exch, Cas, And, Or, Xor, Inc, Dec }

[Flags]
internal enum InstrFlags : ushort
{
    None = 0,
    Ftz = 1,
    Sat = 2,
    PropagateNaN = 4,
    Approx = 8,
    /// <summary>The third setp operand (or selp/atom operand) is negated.</summary>
    NegateC = 16,
    /// <summary>Atom without a destination (red).</summary>
    NoResult = 32,
    /// <summary>ldmatrix .trans: each thread receives a column of the 8x8 matrix instead of a row.</summary>
    Transpose = 64,
    /// <summary>cp.async with a src-size operand (register C): bytes past it are zero-filled.</summary>
    SourceSize = 128,
    /// <summary>cp.async with an ignore-src predicate (register C): when true nothing is read and all bytes are zero.</summary>
    IgnoreSource = 256,
    /// <summary>div.full: the full-range approximate divide. Plain div.approx returns ±0 for 2^126 &lt; |b| &lt; 2^128.</summary>
    FullRange = 512,
    /// <summary>bfind .shiftamt: the left shift that brings the found bit to the top instead of its position.</summary>
    ShiftAmount = 1024,
}
