namespace PaliCuda.Emulation;

// Decoding of the warp-level matrix instructions (mma.sync, ldmatrix) and the asynchronous global-to-shared
// copies (cp.async and its group operations).
internal sealed partial class PtxDecoder
{
    /// <summary>
    /// mma.sync.aligned.{m16n8k16,m16n8k8}.row.col with f16/bf16 inputs and an f32 accumulator
    /// (.f32.{f16,bf16}.{f16,bf16}.f32), or f16 throughout (.f16.f16.f16.f16). The D, A, B and C register
    /// vectors are appended to the vector pool back to back starting at VectorStart; SubOp holds K.
    /// </summary>
    private void DecodeMma(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, List<PtxType> types)
    {
        var ops = s.Operands;
        int k = 0;
        bool row = false, col = false;
        foreach (var m in mods)
        {
            switch (m)
            {
                case "sync" or "aligned": break;
                case "m16n8k16": k = 16; break;
                case "m16n8k8": k = 8; break;
                case "row": row = true; break;
                case "col": col = row; break;
                default: throw Error($"modifier .{m} of '{s.Opcode}' is not supported (shapes m16n8k16 and m16n8k8 only)");
            }
        }
        if (!mods.Contains("sync") || !mods.Contains("aligned")) throw Error("mma needs .sync.aligned");
        if (k == 0) throw Error($"'{s.Opcode}' has no supported shape (m16n8k16 or m16n8k8)");
        if (!row || !col) throw Error("mma with 16-bit inputs needs the .row.col layouts");
        if (types.Count != 4) throw Error($"'{s.Opcode}' needs four types: .dtype.atype.btype.ctype");
        PtxType d = types[0], a = types[1], b = types[2], c = types[3];
        bool f32Accumulate = d == PtxType.F32 && c == PtxType.F32 && a == b && a is PtxType.F16 or PtxType.BF16;
        bool f16Accumulate = d == PtxType.F16 && c == PtxType.F16 && a == PtxType.F16 && b == PtxType.F16;
        if (!f32Accumulate && !f16Accumulate)
            throw Error($"'{s.Opcode}': supported type combinations are .f32.bf16.bf16.f32, .f32.f16.f16.f32 and .f16.f16.f16.f16");
        if (ops.Count != 4) throw Error($"'{s.Opcode}' expects {{d}}, {{a}}, {{b}}, {{c}}");
        int accumulatorRegs = f32Accumulate ? 4 : 2;
        int aRegs = k == 16 ? 4 : 2, bRegs = k == 16 ? 2 : 1;
        ins.Op = Opcode.Mma;
        ins.Type = d;
        ins.SrcType = a;
        ins.SubOp = (byte)k;
        var regType = f32Accumulate ? PtxType.F32 : PtxType.B32;
        (ins.VectorStart, int dn) = Vector(ops[0], regType, destination: true);
        var (_, an) = Vector(ops[1], PtxType.B32, destination: false);
        var (_, bn) = Vector(ops[2], PtxType.B32, destination: false);
        var (_, cn) = Vector(ops[3], regType, destination: false);
        if (dn != accumulatorRegs || cn != accumulatorRegs || an != aRegs || bn != bRegs)
            throw Error($"'{s.Opcode}' needs {accumulatorRegs} D, {aRegs} A, {bRegs} B and {accumulatorRegs} C registers " +
                        $"(found {dn}, {an}, {bn}, {cn})");
    }

    /// <summary>ldmatrix.sync.aligned.m8n8.{x1,x2,x4}[.trans][.shared].b16: SubOp holds the matrix count.</summary>
    private void DecodeLdmatrix(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, List<PtxType> types)
    {
        var ops = s.Operands;
        int count = 0;
        bool shape = false;
        var space = StateSpace.Generic;
        foreach (var m in mods)
        {
            switch (m)
            {
                case "sync" or "aligned": break;
                case "m8n8": shape = true; break;
                case "x1": count = 1; break;
                case "x2": count = 2; break;
                case "x4": count = 4; break;
                case "trans": ins.Flags |= InstrFlags.Transpose; break;
                case "shared": space = StateSpace.Shared; break;
                default: throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
            }
        }
        if (!mods.Contains("sync") || !mods.Contains("aligned")) throw Error("ldmatrix needs .sync.aligned");
        if (!shape || count == 0) throw Error($"'{s.Opcode}' needs .m8n8 and one of .x1/.x2/.x4");
        if (types.Count != 1 || types[0] != PtxType.B16) throw Error($"'{s.Opcode}': only .b16 is supported");
        if (ops.Count != 2) throw Error($"'{s.Opcode}' expects {{d...}}, [address]");
        ins.Op = Opcode.Ldmatrix;
        ins.Space = space;
        ins.SubOp = (byte)count;
        (ins.VectorStart, int n) = Vector(ops[0], PtxType.B32, destination: true);
        if (n != count) throw Error($"'{s.Opcode}' needs {count} destination registers (found {n})");
        (ins.A, ins.Offset) = Address(ops[1], space);
    }

    /// <summary>
    /// cp.async.{ca,cg}.shared.global [dst], [src], cp-size[, src-size | ignore-src]; cp.async.commit_group;
    /// cp.async.wait_group N; cp.async.wait_all. SubOp holds cp-size, or N for wait_group (255 = wait_all).
    /// </summary>
    private void DecodeCpAsync(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods)
    {
        var ops = s.Operands;
        if (mods.Count == 0 || mods[0] != "async") throw Error($"instruction '{s.Opcode}' is not implemented by the emulator");
        var rest = mods.Skip(1).ToList();
        if (rest.Count == 1 && rest[0] == "commit_group")
        {
            if (ops.Count != 0) throw Error("cp.async.commit_group takes no operands");
            ins.Op = Opcode.CpAsyncCommit;
            return;
        }
        if (rest.Count == 1 && rest[0] is "wait_group" or "wait_all")
        {
            ins.Op = Opcode.CpAsyncWait;
            if (rest[0] == "wait_all")
            {
                if (ops.Count != 0) throw Error("cp.async.wait_all takes no operands");
                ins.SubOp = WaitAll;
                return;
            }
            if (ops.Count != 1 || ops[0].Kind != PtxOperandKind.Immediate
                || !PtxParser.TryParseInteger(ops[0].Literal!, out long n) || n < 0 || n >= WaitAll)
                throw Error("cp.async.wait_group needs an integer constant N (0..254)");
            ins.SubOp = (byte)n;
            return;
        }
        bool ca = false, cg = false, shared = false, global = false;
        foreach (var m in rest)
        {
            switch (m)
            {
                case "ca": ca = true; break;
                case "cg": cg = true; break;
                case "shared": shared = true; break;
                case "global": global = true; break;
                // Prefetch-size hints change what the L2 fetches, never what lands in shared memory.
                case "L2::64B" or "L2::128B" or "L2::256B": break;
                default: throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
            }
        }
        if (ca == cg || !shared || !global) throw Error($"'{s.Opcode}' must be cp.async.ca.shared.global or cp.async.cg.shared.global");
        if (ops.Count is < 3 or > 4) throw Error($"'{s.Opcode}' expects [dst], [src], cp-size[, src-size | ignore-src]");
        if (ops[2].Kind != PtxOperandKind.Immediate || !PtxParser.TryParseInteger(ops[2].Literal!, out long size) || size is not (4 or 8 or 16))
            throw Error("cp.async cp-size must be the constant 4, 8 or 16");
        if (cg && size != 16) throw Error("cp.async.cg copies 16 bytes only");
        ins.Op = Opcode.CpAsync;
        ins.SubOp = (byte)size;
        (ins.A, ins.Offset) = Address(ops[0], StateSpace.Shared);
        (ins.B, ins.SourceOffset) = Address(ops[1], StateSpace.Global);
        if (ops.Count == 4)
        {
            bool predicate = ops[3].Kind == PtxOperandKind.Register && _registerTypes.TryGetValue(ops[3].Name!, out var t) && t == PtxType.Pred;
            if (predicate)
            {
                if (ops[3].Negated) throw Error("a negated ignore-src predicate is not supported");
                ins.Flags |= InstrFlags.IgnoreSource;
                ins.C = Source(ops[3], PtxType.Pred);
            }
            else
            {
                ins.Flags |= InstrFlags.SourceSize;
                ins.C = Source(ops[3], PtxType.U32);
            }
        }
    }

    /// <summary>SubOp of cp.async.wait_all (wait_group takes N below it).</summary>
    internal const byte WaitAll = 255;
}
