namespace PaliCuda.Emulation;

/// <summary>PTX fundamental types. Bit-size types (.bN) and unsigned (.uN) behave alike except where noted.</summary>
internal enum PtxType : byte
{
    None, Pred,
    B8, B16, B32, B64, B128,
    U8, U16, U32, U64,
    S8, S16, S32, S64,
    F16, F16x2, BF16, BF16x2, F32, F64,
}
