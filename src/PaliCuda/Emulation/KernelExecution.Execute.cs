using System.Runtime.CompilerServices;

namespace PaliCuda.Emulation;

internal sealed partial class KernelExecution
{
    /// <summary>Executes a non-control instruction for the lanes in <paramref name="m"/>.</summary>
    private void Execute(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        // The perturbation's bound may depend on the input (sin/cos), which the result may overwrite (d == a).
        bool perturb = _perturbation is not null && ApproximationPerturbation.Applies(ins);
        if (perturb) Array.Copy(R, ins.A * 32, _perturbationInputs, 0, 32);
        switch (ins.Op)
        {
            case Opcode.Nop: break;
            case Opcode.Mov: Unary<MovOp>(ref ins, R, m); break;
            case Opcode.MovPack: MovPack(ref ins, R, m); break;
            case Opcode.MovUnpack: MovUnpack(ref ins, R, m); break;
            case Opcode.Ld: Load(ref ins, R, m, w); break;
            case Opcode.St: Store(ref ins, R, m, w); break;
            case Opcode.CvtaToSpace: CvtaToSpace(ref ins, R, m); break;
            case Opcode.CvtaToGeneric: CvtaToGeneric(ref ins, R, m); break;

            case Opcode.IAdd: Binary<IAddOp>(ref ins, R, m); break;
            case Opcode.ISub: Binary<ISubOp>(ref ins, R, m); break;
            case Opcode.IAddSatS32: Binary<IAddSatOp>(ref ins, R, m); break;
            case Opcode.ISubSatS32: Binary<ISubSatOp>(ref ins, R, m); break;
            case Opcode.IMulLo: Binary<IMulLoOp>(ref ins, R, m); break;
            case Opcode.IMulHiS: Binary<IMulHiSOp>(ref ins, R, m); break;
            case Opcode.IMulHiU: Binary<IMulHiUOp>(ref ins, R, m); break;
            case Opcode.IMulWideS: Binary<IMulWideSOp>(ref ins, R, m); break;
            case Opcode.IMulWideU: Binary<IMulWideUOp>(ref ins, R, m); break;
            case Opcode.IMadLo: Ternary<IMadLoOp>(ref ins, R, m); break;
            case Opcode.IMadHiS: Ternary<IMadHiSOp>(ref ins, R, m); break;
            case Opcode.IMadHiU: Ternary<IMadHiUOp>(ref ins, R, m); break;
            case Opcode.IMadWideS: Ternary<IMadWideSOp>(ref ins, R, m); break;
            case Opcode.IMadWideU: Ternary<IMadWideUOp>(ref ins, R, m); break;
            case Opcode.IDivS or Opcode.IDivU or Opcode.IRemS or Opcode.IRemU: Divide(ref ins, R, m); break;
            case Opcode.IMinS: Binary<IMinSOp>(ref ins, R, m); break;
            case Opcode.IMinU: Binary<IMinUOp>(ref ins, R, m); break;
            case Opcode.IMaxS: Binary<IMaxSOp>(ref ins, R, m); break;
            case Opcode.IMaxU: Binary<IMaxUOp>(ref ins, R, m); break;
            case Opcode.INeg: Unary<INegOp>(ref ins, R, m); break;
            case Opcode.IAbs: Unary<IAbsOp>(ref ins, R, m); break;
            case Opcode.And: Binary<AndOp>(ref ins, R, m); break;
            case Opcode.Or: Binary<OrOp>(ref ins, R, m); break;
            case Opcode.Xor: Binary<XorOp>(ref ins, R, m); break;
            case Opcode.Not: Unary<NotOp>(ref ins, R, m); break;
            case Opcode.CNot: Unary<CNotOp>(ref ins, R, m); break;
            case Opcode.Shl: Binary<ShlOp>(ref ins, R, m); break;
            case Opcode.ShrU: Binary<ShrUOp>(ref ins, R, m); break;
            case Opcode.ShrS: Binary<ShrSOp>(ref ins, R, m); break;
            case Opcode.Popc: Unary<PopcOp>(ref ins, R, m); break;
            case Opcode.Clz: Unary<ClzOp>(ref ins, R, m); break;
            case Opcode.Bfind: Unary<BfindOp>(ref ins, R, m); break;
            case Opcode.Brev: Unary<BrevOp>(ref ins, R, m); break;
            case Opcode.BfeU: Ternary<BfeUOp>(ref ins, R, m); break;
            case Opcode.BfeS: Ternary<BfeSOp>(ref ins, R, m); break;
            case Opcode.Bfi: Bfi(ref ins, R, m); break;
            case Opcode.Prmt: Ternary<PrmtOp>(ref ins, R, m); break;

            case Opcode.FAdd: Binary<FAddOp>(ref ins, R, m); break;
            case Opcode.FSub: Binary<FSubOp>(ref ins, R, m); break;
            case Opcode.FMul: Binary<FMulOp>(ref ins, R, m); break;
            case Opcode.FFma: Ternary<FFmaOp>(ref ins, R, m); break;
            case Opcode.FDiv: Binary<FDivOp>(ref ins, R, m); break;
            case Opcode.FMin: Binary<FMinOp>(ref ins, R, m); break;
            case Opcode.FMax: Binary<FMaxOp>(ref ins, R, m); break;
            case Opcode.FNeg: Unary<FNegOp>(ref ins, R, m); break;
            case Opcode.FAbs: Unary<FAbsOp>(ref ins, R, m); break;
            case Opcode.FSqrt: Unary<FSqrtOp>(ref ins, R, m); break;
            case Opcode.FRsqrt: Unary<FRsqrtOp>(ref ins, R, m); break;
            case Opcode.FRcp: Unary<FRcpOp>(ref ins, R, m); break;
            case Opcode.FEx2: Unary<FEx2Op>(ref ins, R, m); break;
            case Opcode.FLg2: Unary<FLg2Op>(ref ins, R, m); break;
            case Opcode.FSin: Unary<FSinOp>(ref ins, R, m); break;
            case Opcode.FCos: Unary<FCosOp>(ref ins, R, m); break;
            case Opcode.FTanh: Unary<FTanhOp>(ref ins, R, m); break;
            case Opcode.DAdd: Binary<DAddOp>(ref ins, R, m); break;
            case Opcode.DSub: Binary<DSubOp>(ref ins, R, m); break;
            case Opcode.DMul: Binary<DMulOp>(ref ins, R, m); break;
            case Opcode.DFma: Ternary<DFmaOp>(ref ins, R, m); break;
            case Opcode.DDiv: Binary<DDivOp>(ref ins, R, m); break;
            case Opcode.DMin: Binary<DMinOp>(ref ins, R, m); break;
            case Opcode.DMax: Binary<DMaxOp>(ref ins, R, m); break;
            case Opcode.DNeg: Unary<DNegOp>(ref ins, R, m); break;
            case Opcode.DAbs: Unary<DAbsOp>(ref ins, R, m); break;
            case Opcode.DSqrt: Unary<DSqrtOp>(ref ins, R, m); break;
            case Opcode.DRcp: Unary<DRcpOp>(ref ins, R, m); break;
            case Opcode.DRsqrt: Unary<DRsqrtOp>(ref ins, R, m); break;

            case Opcode.SetpS or Opcode.SetpU or Opcode.SetpF or Opcode.SetpD: Setp(ref ins, R, m); break;
            case Opcode.Selp: Ternary<SelpOp>(ref ins, R, m); break;
            case Opcode.Cvt:
                if (ins.B >= 0) Binary<CvtPackedOp>(ref ins, R, m);
                else Unary<CvtOp>(ref ins, R, m);
                break;

            case Opcode.Shfl: Shuffle(ref ins, R, m); break;
            case Opcode.Vote: Vote(ref ins, R, m); break;
            case Opcode.ActiveMask:
                for (int l = 0; l < 32; l++) if ((m & (1u << l)) != 0) R[ins.D * 32 + l] = m;
                break;
            case Opcode.Atom: Atomic(ref ins, R, m, w); break;
            case Opcode.Mma: Mma(ref ins, R, m, w); break;
            case Opcode.Ldmatrix: Ldmatrix(ref ins, R, m, w); break;
            case Opcode.CpAsync: CpAsync(ref ins, R, m, w); break;
            case Opcode.CpAsyncCommit: CpAsyncCommit(m, w); break;
            case Opcode.CpAsyncWait: CpAsyncWait(ref ins, m, w); break;
            default:
                throw Fail(LowestLane(m), $"internal error: opcode {ins.Op} has no handler", null);
        }
        if (perturb)
        {
            int seed = _perturbation!.Value;
            for (int l = 0; l < 32; l++)
                if ((m & (1u << l)) != 0)
                    R[ins.D * 32 + l] = ApproximationPerturbation.Apply(R[ins.D * 32 + l], _perturbationInputs[l], ins.Op, seed, _pc, _blockIndex, w.Index * 32 + l);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unary<T>(ref DecodedInstruction ins, ulong[] R, uint m) where T : struct, IUnaryLaneOp
    {
        int d = ins.D * 32, a = ins.A * 32;
        if (m == uint.MaxValue)
        {
            for (int l = 0; l < 32; l++) R[d + l] = T.Apply(R[a + l], ins);
            return;
        }
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0) R[d + l] = T.Apply(R[a + l], ins);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Binary<T>(ref DecodedInstruction ins, ulong[] R, uint m) where T : struct, IBinaryLaneOp
    {
        int d = ins.D * 32, a = ins.A * 32, b = ins.B * 32;
        if (m == uint.MaxValue)
        {
            for (int l = 0; l < 32; l++) R[d + l] = T.Apply(R[a + l], R[b + l], ins);
            return;
        }
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0) R[d + l] = T.Apply(R[a + l], R[b + l], ins);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Ternary<T>(ref DecodedInstruction ins, ulong[] R, uint m) where T : struct, ITernaryLaneOp
    {
        int d = ins.D * 32, a = ins.A * 32, b = ins.B * 32, c = ins.C * 32;
        if (m == uint.MaxValue)
        {
            for (int l = 0; l < 32; l++) R[d + l] = T.Apply(R[a + l], R[b + l], R[c + l], ins);
            return;
        }
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0) R[d + l] = T.Apply(R[a + l], R[b + l], R[c + l], ins);
    }

    private void Divide(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        int d = ins.D * 32, a = ins.A * 32, b = ins.B * 32;
        ulong mask = ins.Mask;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong x = R[a + l] & mask, y = R[b + l] & mask;
            if (y == 0) throw Fail(l, "integer division by zero (the result is undefined in PTX)", null);
            ulong r;
            switch (ins.Op)
            {
                case Opcode.IDivU: r = x / y; break;
                case Opcode.IRemU: r = x % y; break;
                default:
                {
                    long sx = IntBits.SignExtend(x, mask), sy = IntBits.SignExtend(y, mask);
                    // The most negative value divided by -1 wraps, as on the GPU.
                    if (sy == -1) r = ins.Op == Opcode.IDivS ? (ulong)unchecked(-sx) : 0;
                    else r = (ulong)(ins.Op == Opcode.IDivS ? sx / sy : sx % sy);
                    break;
                }
            }
            R[d + l] = r & mask;
        }
    }

    private static void Bfi(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        int bits = ins.Mask == ulong.MaxValue ? 64 : 32;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong a = R[ins.A * 32 + l], f = R[ins.B * 32 + l];
            int pos = (int)(R[ins.C * 32 + l] & 0xFF), len = (int)(R[ins.E * 32 + l] & 0xFF);
            for (int k = 0; k < len && pos + k < bits; k++)
            {
                ulong bit = 1UL << (pos + k);
                f = ((a >> k) & 1) != 0 ? f | bit : f & ~bit;
            }
            R[ins.D * 32 + l] = f & ins.Mask;
        }
    }

    private void MovPack(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        int n = ins.VectorCount;
        int bits = System.Numerics.BitOperations.PopCount(ins.Mask) / n;
        ulong elementMask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong v = 0;
            for (int e = 0; e < n; e++) v |= (R[_pool[ins.VectorStart + e] * 32 + l] & elementMask) << (e * bits);
            R[ins.D * 32 + l] = v;
        }
    }

    private void MovUnpack(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        int n = ins.VectorCount;
        int bits = System.Numerics.BitOperations.PopCount(ins.Mask) / n;
        ulong elementMask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong v = R[ins.A * 32 + l];
            for (int e = 0; e < n; e++) R[_pool[ins.VectorStart + e] * 32 + l] = (v >> (e * bits)) & elementMask;
        }
    }

    private static void Setp(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong a = R[ins.A * 32 + l], b = R[ins.B * 32 + l];
            bool t = ins.Op switch
            {
                Opcode.SetpS => CompareInt(IntBits.SignExtend(a, MaskOf(ins.SrcType)), IntBits.SignExtend(b, MaskOf(ins.SrcType)), ins.Compare),
                Opcode.SetpU => CompareUInt(a & MaskOf(ins.SrcType), b & MaskOf(ins.SrcType), ins.Compare),
                Opcode.SetpF => CompareFloat(F32.In(a, ins), F32.In(b, ins), ins.Compare),
                _ => CompareFloat(FloatMath.Double(a), FloatMath.Double(b), ins.Compare),
            };
            bool q = !t;
            if (ins.Combine != BoolOp.None)
            {
                bool c = (R[ins.C * 32 + l] & 1) != 0;
                if ((ins.Flags & InstrFlags.NegateC) != 0) c = !c;
                (t, q) = ins.Combine switch
                {
                    BoolOp.And => (t && c, q && c),
                    BoolOp.Or => (t || c, q || c),
                    _ => (t ^ c, q ^ c),
                };
            }
            R[ins.D * 32 + l] = t ? 1UL : 0UL;
            if (ins.D2 >= 0) R[ins.D2 * 32 + l] = q ? 1UL : 0UL;
        }
    }

    private static ulong MaskOf(PtxType t) => PtxTypes.MaskOf(t);

    private static bool CompareInt(long a, long b, CompareOp op) => op switch
    {
        CompareOp.Eq => a == b, CompareOp.Ne => a != b, CompareOp.Lt => a < b,
        CompareOp.Le => a <= b, CompareOp.Gt => a > b, _ => a >= b,
    };

    private static bool CompareUInt(ulong a, ulong b, CompareOp op) => op switch
    {
        CompareOp.Eq => a == b, CompareOp.Ne => a != b, CompareOp.Lt => a < b,
        CompareOp.Le => a <= b, CompareOp.Gt => a > b, _ => a >= b,
    };

    /// <summary>Ordered comparisons are false when either operand is NaN; the ...u forms are true then.</summary>
    private static bool CompareFloat(double a, double b, CompareOp op)
    {
        bool unordered = double.IsNaN(a) || double.IsNaN(b);
        return op switch
        {
            CompareOp.Eq => a == b,
            CompareOp.Ne => !unordered && a != b,
            CompareOp.Lt => a < b,
            CompareOp.Le => a <= b,
            CompareOp.Gt => a > b,
            CompareOp.Ge => a >= b,
            CompareOp.Equ => unordered || a == b,
            CompareOp.Neu => unordered || a != b,
            CompareOp.Ltu => unordered || a < b,
            CompareOp.Leu => unordered || a <= b,
            CompareOp.Gtu => unordered || a > b,
            CompareOp.Geu => unordered || a >= b,
            CompareOp.Num => !unordered,
            _ => unordered,
        };
    }
}
