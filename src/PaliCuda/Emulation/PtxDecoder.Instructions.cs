namespace PaliCuda.Emulation;

internal sealed partial class PtxDecoder
{
    private static readonly HashSet<string> IgnoredMemoryModifiers = new()
    {
        "nc", "ca", "cg", "cs", "lu", "cv", "wb", "wt", "volatile", "relaxed", "acquire", "release", "acq_rel",
        "weak", "gpu", "cta", "sys", "sync", "aligned", "uni", "full",
    };

    private DecodedInstruction DecodeOne(PtxInstructionSyntax s)
    {
        var parts = s.Opcode.Split('.');
        string name = parts[0];
        var types = new List<PtxType>();
        var mods = new List<string>();
        foreach (var part in parts.Skip(1))
        {
            // .shared::cta is the CTA's own shared memory, the only shared window a non-cluster launch has.
            string m = part == "shared::cta" ? "shared" : part;
            var t = PtxTypes.Parse(m);
            if (t != null) types.Add(t.Value);
            else mods.Add(m);
        }
        var ops = s.Operands;
        var ins = new DecodedInstruction { D = -1, D2 = -1, A = -1, B = -1, C = -1, E = -1, Target = -1, Reconverge = -1 };
        PtxType type = types.Count > 0 ? types[^1] : PtxType.None;
        ins.Type = type;
        ins.Mask = PtxTypes.MaskOf(type);

        void Arity(int n)
        {
            if (ops.Count != n) throw Error($"'{s.Opcode}' expects {n} operands but has {ops.Count}");
        }
        void NoMods(params string[] allowed)
        {
            foreach (var m in mods)
                if (!allowed.Contains(m)) throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
        }
        void Binary(Opcode op)
        {
            Arity(3);
            ins.Op = op;
            ins.D = Destination(ops[0]);
            ins.A = Source(ops[1], type);
            ins.B = Source(ops[2], type);
        }
        void Unary(Opcode op)
        {
            Arity(2);
            ins.Op = op;
            ins.D = Destination(ops[0]);
            ins.A = Source(ops[1], type);
        }
        void Ternary(Opcode op)
        {
            Arity(4);
            ins.Op = op;
            ins.D = Destination(ops[0]);
            ins.A = Source(ops[1], type);
            ins.B = Source(ops[2], type);
            ins.C = Source(ops[3], type);
        }
        bool IsInt() => PtxTypes.IsInteger(type);
        bool Signed() => PtxTypes.IsSigned(type);
        void RequireTypes(int n)
        {
            if (types.Count != n) throw Error($"'{s.Opcode}' needs {n} type suffix(es)");
        }
        // Float modifiers: ftz, sat and a rounding mode; Approx for .approx/.full.
        void FloatMods(bool allowRounding, bool allowSat, bool allowApprox, bool f64)
        {
            foreach (var m in mods)
            {
                switch (m)
                {
                    case "ftz" when !f64: ins.Flags |= InstrFlags.Ftz; break;
                    case "sat" when allowSat && !f64: ins.Flags |= InstrFlags.Sat; break;
                    case "approx" when allowApprox: ins.Flags |= InstrFlags.Approx; break;
                    // Only div has a full-range form; sqrt.full and the like are not PTX.
                    case "full" when allowApprox && name == "div": ins.Flags |= InstrFlags.Approx | InstrFlags.FullRange; break;
                    case "rn" when allowRounding: ins.Rounding = RoundingMode.Rn; break;
                    case "rz" or "rm" or "rp" when allowRounding && !f64:
                        ins.Rounding = m == "rz" ? RoundingMode.Rz : m == "rm" ? RoundingMode.Rm : RoundingMode.Rp; break;
                    default: throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
                }
            }
        }
        void RequireFloat32Or64()
        {
            if (type != PtxType.F32 && type != PtxType.F64)
                throw Error($"'{s.Opcode}': type .{Lower(type)} is not supported (only .f32 and .f64)");
        }

        switch (name)
        {
            case "mov":
            {
                Arity(2);
                NoMods();
                RequireTypes(1);
                if (ops[0].Kind == PtxOperandKind.Vector)
                {
                    int n = ops[0].Elements!.Count;
                    var (start, count) = Vector(ops[0], type, destination: true);
                    ins.Op = Opcode.MovUnpack;
                    ins.VectorStart = start;
                    ins.VectorCount = (byte)count;
                    ins.A = Source(ops[1], type);
                    if (PtxTypes.BitsOf(type) % n != 0) throw Error("vector does not divide the value evenly");
                }
                else if (ops[1].Kind == PtxOperandKind.Vector)
                {
                    int n = ops[1].Elements!.Count;
                    var elementType = ElementTypeOf(type, n);
                    var (start, count) = Vector(ops[1], elementType, destination: false);
                    ins.Op = Opcode.MovPack;
                    ins.D = Destination(ops[0]);
                    ins.VectorStart = start;
                    ins.VectorCount = (byte)count;
                }
                else Unary(Opcode.Mov);
                break;
            }
            case "ld" or "st":
                DecodeMemory(s, ref ins, name == "ld", mods, type);
                break;
            case "cvta":
            {
                Arity(2);
                bool to = mods.Remove("to");
                var space = mods.Count == 1 ? SpaceOf(mods[0]) : null;
                if (space is null or StateSpace.Generic or StateSpace.Param or StateSpace.Const)
                    throw Error($"'{s.Opcode}' is not supported (only cvta[.to].global/.shared/.local)");
                ins.Op = to ? Opcode.CvtaToSpace : Opcode.CvtaToGeneric;
                ins.Space = space.Value;
                ins.D = Destination(ops[0]);
                ins.A = Source(ops[1], type);
                break;
            }
            case "add" or "sub":
            {
                bool add = name == "add";
                if (IsInt())
                {
                    if (mods.Contains("sat"))
                    {
                        if (type != PtxType.S32) throw Error($"'{s.Opcode}': .sat needs .s32");
                        NoMods("sat");
                        Binary(add ? Opcode.IAddSatS32 : Opcode.ISubSatS32);
                    }
                    else { NoMods(); Binary(add ? Opcode.IAdd : Opcode.ISub); }
                }
                else
                {
                    RequireFloat32Or64();
                    bool f64 = type == PtxType.F64;
                    FloatMods(allowRounding: true, allowSat: true, allowApprox: false, f64);
                    Binary(f64 ? (add ? Opcode.DAdd : Opcode.DSub) : (add ? Opcode.FAdd : Opcode.FSub));
                }
                break;
            }
            case "mul" or "mad":
            {
                bool mad = name == "mad";
                if (IsInt())
                {
                    string mode = mods.Count == 1 ? mods[0] : throw Error($"'{s.Opcode}' needs exactly one of .lo/.hi/.wide");
                    bool sgn = Signed();
                    Opcode op = mode switch
                    {
                        "lo" => mad ? Opcode.IMadLo : Opcode.IMulLo,
                        "hi" => mad ? (sgn ? Opcode.IMadHiS : Opcode.IMadHiU) : (sgn ? Opcode.IMulHiS : Opcode.IMulHiU),
                        "wide" => mad ? (sgn ? Opcode.IMadWideS : Opcode.IMadWideU) : (sgn ? Opcode.IMulWideS : Opcode.IMulWideU),
                        _ => throw Error($"modifier .{mode} of '{s.Opcode}' is not supported"),
                    };
                    if (mode == "wide" && PtxTypes.BitsOf(type) != 32 && PtxTypes.BitsOf(type) != 16)
                        throw Error($"'{s.Opcode}': .wide needs a 16- or 32-bit type");
                    if (mad) Ternary(op); else Binary(op);
                }
                else
                {
                    RequireFloat32Or64();
                    bool f64 = type == PtxType.F64;
                    FloatMods(allowRounding: true, allowSat: true, allowApprox: false, f64);
                    if (mad) Ternary(f64 ? Opcode.DFma : Opcode.FFma);
                    else Binary(f64 ? Opcode.DMul : Opcode.FMul);
                }
                break;
            }
            case "fma":
            {
                RequireFloat32Or64();
                bool f64 = type == PtxType.F64;
                FloatMods(allowRounding: true, allowSat: true, allowApprox: false, f64);
                if (ins.Rounding == RoundingMode.Default) throw Error("fma needs a rounding modifier");
                Ternary(f64 ? Opcode.DFma : Opcode.FFma);
                break;
            }
            case "div":
                if (IsInt()) { NoMods(); Binary(Signed() ? Opcode.IDivS : Opcode.IDivU); }
                else
                {
                    RequireFloat32Or64();
                    bool f64 = type == PtxType.F64;
                    FloatMods(allowRounding: true, allowSat: false, allowApprox: !f64, f64);
                    Binary(f64 ? Opcode.DDiv : Opcode.FDiv);
                }
                break;
            case "rem":
                if (!IsInt()) throw Error("rem needs an integer type");
                NoMods();
                Binary(Signed() ? Opcode.IRemS : Opcode.IRemU);
                break;
            case "min" or "max":
            {
                bool min = name == "min";
                if (IsInt()) { NoMods(); Binary(min ? (Signed() ? Opcode.IMinS : Opcode.IMinU) : (Signed() ? Opcode.IMaxS : Opcode.IMaxU)); }
                else
                {
                    RequireFloat32Or64();
                    bool f64 = type == PtxType.F64;
                    if (mods.Remove("NaN")) ins.Flags |= InstrFlags.PropagateNaN;
                    FloatMods(allowRounding: false, allowSat: false, allowApprox: false, f64);
                    Binary(f64 ? (min ? Opcode.DMin : Opcode.DMax) : (min ? Opcode.FMin : Opcode.FMax));
                }
                break;
            }
            case "neg" or "abs":
            {
                bool neg = name == "neg";
                if (IsInt()) { NoMods(); Unary(neg ? Opcode.INeg : Opcode.IAbs); }
                else
                {
                    RequireFloat32Or64();
                    bool f64 = type == PtxType.F64;
                    FloatMods(allowRounding: false, allowSat: false, allowApprox: false, f64);
                    Unary(f64 ? (neg ? Opcode.DNeg : Opcode.DAbs) : (neg ? Opcode.FNeg : Opcode.FAbs));
                }
                break;
            }
            case "and" or "or" or "xor":
                NoMods();
                if (!IsInt() && type != PtxType.Pred) throw Error($"'{s.Opcode}' needs a bit type");
                Binary(name == "and" ? Opcode.And : name == "or" ? Opcode.Or : Opcode.Xor);
                break;
            case "not" or "cnot":
                NoMods();
                if (!IsInt() && type != PtxType.Pred) throw Error($"'{s.Opcode}' needs a bit type");
                Unary(name == "not" ? Opcode.Not : Opcode.CNot);
                break;
            case "shl" or "shr":
            {
                NoMods();
                if (!IsInt()) throw Error($"'{s.Opcode}' needs an integer type");
                Arity(3);
                ins.Op = name == "shl" ? Opcode.Shl : Signed() ? Opcode.ShrS : Opcode.ShrU;
                ins.D = Destination(ops[0]);
                ins.A = Source(ops[1], type);
                ins.B = Source(ops[2], PtxType.U32);
                break;
            }
            case "popc" or "clz" or "brev":
                NoMods();
                if (PtxTypes.BitsOf(type) is not (32 or 64) || !IsInt()) throw Error($"'{s.Opcode}' needs .b32 or .b64");
                Unary(name == "popc" ? Opcode.Popc : name == "clz" ? Opcode.Clz : Opcode.Brev);
                break;
            case "bfind":
                NoMods("shiftamt");
                if (PtxTypes.BitsOf(type) is not (32 or 64) || !IsInt()) throw Error($"'{s.Opcode}' needs .u32, .s32, .u64 or .s64");
                if (mods.Contains("shiftamt")) ins.Flags |= InstrFlags.ShiftAmount;
                Unary(Opcode.Bfind);
                break;
            case "bfe":
                NoMods();
                if (PtxTypes.BitsOf(type) is not (32 or 64) || !IsInt()) throw Error($"'{s.Opcode}' needs a 32- or 64-bit integer type");
                Arity(4);
                ins.Op = Signed() ? Opcode.BfeS : Opcode.BfeU;
                ins.D = Destination(ops[0]);
                ins.A = Source(ops[1], type);
                ins.B = Source(ops[2], PtxType.U32);
                ins.C = Source(ops[3], PtxType.U32);
                break;
            case "bfi":
                NoMods();
                if (PtxTypes.BitsOf(type) is not (32 or 64) || !IsInt()) throw Error($"'{s.Opcode}' needs .b32 or .b64");
                Arity(5);
                ins.Op = Opcode.Bfi;
                ins.D = Destination(ops[0]);
                ins.A = Source(ops[1], type);
                ins.B = Source(ops[2], type);
                ins.C = Source(ops[3], PtxType.U32);
                ins.E = Source(ops[4], PtxType.U32);
                break;
            case "prmt":
                NoMods();
                if (type != PtxType.B32) throw Error("prmt supports only .b32 without a mode");
                Ternary(Opcode.Prmt);
                break;
            case "sqrt" or "rsqrt" or "rcp" or "ex2" or "lg2" or "sin" or "cos" or "tanh":
            {
                RequireFloat32Or64();
                bool f64 = type == PtxType.F64;
                bool transcendental = name is "ex2" or "lg2" or "sin" or "cos" or "tanh";
                if ((transcendental || (name == "rsqrt")) && !mods.Contains("approx"))
                    throw Error($"'{s.Opcode}' requires .approx");
                if (f64 && name is not ("sqrt" or "rcp" or "rsqrt")) throw Error($"'{s.Opcode}' is not supported for .f64");
                FloatMods(allowRounding: name is "sqrt" or "rcp", allowSat: false, allowApprox: true, f64);
                if (name is "sqrt" or "rcp" && ins.Rounding == RoundingMode.Default && (ins.Flags & InstrFlags.Approx) == 0)
                    throw Error($"'{s.Opcode}' needs a rounding modifier or .approx");
                Unary(name switch
                {
                    "sqrt" => f64 ? Opcode.DSqrt : Opcode.FSqrt,
                    "rsqrt" => f64 ? Opcode.DRsqrt : Opcode.FRsqrt,
                    "rcp" => f64 ? Opcode.DRcp : Opcode.FRcp,
                    "ex2" => Opcode.FEx2,
                    "lg2" => Opcode.FLg2,
                    "sin" => Opcode.FSin,
                    "cos" => Opcode.FCos,
                    _ => Opcode.FTanh,
                });
                break;
            }
            case "setp":
                DecodeSetp(s, ref ins, mods, type);
                break;
            case "selp":
                NoMods();
                Arity(4);
                ins.Op = Opcode.Selp;
                ins.D = Destination(ops[0]);
                ins.A = Source(ops[1], type);
                ins.B = Source(ops[2], type);
                ins.C = Source(ops[3], PtxType.Pred);
                break;
            case "cvt":
                DecodeCvt(s, ref ins, mods, types);
                break;
            case "bra":
                NoMods("uni");
                Arity(1);
                if (ops[0].Kind != PtxOperandKind.Symbol || !_f.Labels.TryGetValue(ops[0].Name!, out int target))
                    throw Error($"branch target '{ops[0].Name}' is not a label of this function");
                ins.Op = Opcode.Bra;
                ins.Target = target;
                break;
            case "ret" or "exit":
                NoMods("uni");
                Arity(0);
                if (!_f.IsEntry) throw Error("internal error: a .func body reached the decoder without being inlined");
                ins.Op = Opcode.Exit;
                break;
            case "bar" or "barrier":
            {
                if (mods.Contains("warp")) throw Error("bar.warp.sync is not supported yet");
                NoMods("sync", "aligned");
                if (ops.Count != 1 || ops[0].Kind != PtxOperandKind.Immediate || ops[0].Literal != "0")
                    throw Error("only block-wide barrier 0 without a thread count is supported");
                ins.Op = Opcode.BarSync;
                break;
            }
            case "membar" or "fence":
                ins.Op = Opcode.Nop;
                break;
            case "shfl":
                DecodeShfl(s, ref ins, mods, type);
                break;
            case "vote":
                DecodeVote(s, ref ins, mods, type);
                break;
            case "activemask":
                NoMods();
                Arity(1);
                ins.Op = Opcode.ActiveMask;
                ins.D = Destination(ops[0]);
                break;
            case "atom" or "red":
                DecodeAtom(s, ref ins, mods, type, name == "red");
                break;
            case "call":
                throw Error("internal error: a call reached the decoder without being inlined");
            case "mma":
                DecodeMma(s, ref ins, mods, types);
                break;
            case "ldmatrix":
                DecodeLdmatrix(s, ref ins, mods, types);
                break;
            case "cp":
                DecodeCpAsync(s, ref ins, mods);
                break;
            default:
                throw Error($"instruction '{s.Opcode}' is not implemented by the emulator");
        }
        return ins;
    }

    private PtxType ElementTypeOf(PtxType whole, int count)
    {
        int bits = PtxTypes.BitsOf(whole) / count;
        return bits switch
        {
            8 => PtxType.B8,
            16 => PtxType.B16,
            32 => PtxType.B32,
            64 => PtxType.B64,
            _ => throw Error($"cannot split .{Lower(whole)} into {count} parts"),
        };
    }

    private static StateSpace? SpaceOf(string mod) => mod switch
    {
        "global" => StateSpace.Global,
        "shared" => StateSpace.Shared,
        "local" => StateSpace.Local,
        "param" => StateSpace.Param,
        "const" => StateSpace.Const,
        _ => null,
    };

    private void DecodeMemory(PtxInstructionSyntax s, ref DecodedInstruction ins, bool load, List<string> mods, PtxType type)
    {
        var ops = s.Operands;
        if (ops.Count != 2) throw Error($"'{s.Opcode}' expects 2 operands");
        var space = StateSpace.Generic;
        int vec = 1;
        foreach (var m in mods)
        {
            var sp = SpaceOf(m);
            if (sp != null) space = sp.Value;
            else if (m == "v2") vec = 2;
            else if (m == "v4") vec = 4;
            else if (!IgnoredMemoryModifiers.Contains(m)) throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
        }
        if (type == PtxType.None || type == PtxType.Pred || type == PtxType.F16x2 || type == PtxType.BF16x2 && vec > 1)
            throw Error($"'{s.Opcode}': type not supported for memory access");
        var addressSyntax = load ? ops[1] : ops[0];
        if (space == StateSpace.Param && addressSyntax.Name != null
            && _symbols.TryGetValue(addressSyntax.Name, out var slot) && slot.Space == StateSpace.Local)
            space = StateSpace.Local; // a call-site .param slot
        if (!load && space is StateSpace.Param or StateSpace.Const) throw Error($"stores to {space} space are not allowed");
        ins.Op = load ? Opcode.Ld : Opcode.St;
        ins.Space = space;
        ins.VectorCount = (byte)vec;
        ins.SrcType = type;
        ins.Mask = PtxTypes.MaskOf(type);
        var addressOp = load ? ops[1] : ops[0];
        var valueOp = load ? ops[0] : ops[1];
        (ins.A, ins.Offset) = Address(addressOp, space);
        if (vec == 1)
        {
            if (load) ins.D = Destination(valueOp);
            else ins.B = Source(valueOp, type);
        }
        else
        {
            var (start, count) = Vector(valueOp, type, destination: load);
            if (count != vec) throw Error($"'{s.Opcode}' needs a vector of {vec} registers");
            ins.VectorStart = start;
        }
    }

    private void DecodeSetp(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, PtxType type)
    {
        var ops = s.Operands;
        CompareOp? cmp = null;
        foreach (var m in mods)
        {
            switch (m)
            {
                case "eq": cmp = CompareOp.Eq; break;
                case "ne": cmp = CompareOp.Ne; break;
                case "lt" or "lo": cmp = CompareOp.Lt; break;
                case "le" or "ls": cmp = CompareOp.Le; break;
                case "gt" or "hi": cmp = CompareOp.Gt; break;
                case "ge" or "hs": cmp = CompareOp.Ge; break;
                case "equ": cmp = CompareOp.Equ; break;
                case "neu": cmp = CompareOp.Neu; break;
                case "ltu": cmp = CompareOp.Ltu; break;
                case "leu": cmp = CompareOp.Leu; break;
                case "gtu": cmp = CompareOp.Gtu; break;
                case "geu": cmp = CompareOp.Geu; break;
                case "num": cmp = CompareOp.Num; break;
                case "nan": cmp = CompareOp.Nan; break;
                case "and": ins.Combine = BoolOp.And; break;
                case "or": ins.Combine = BoolOp.Or; break;
                case "xor": ins.Combine = BoolOp.Xor; break;
                case "ftz": ins.Flags |= InstrFlags.Ftz; break;
                default: throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
            }
        }
        if (cmp == null) throw Error("setp without a comparison");
        bool isFloat = PtxTypes.IsFloat(type);
        if (isFloat && type != PtxType.F32 && type != PtxType.F64) throw Error($"setp on .{Lower(type)} is not supported");
        if (!isFloat && cmp >= CompareOp.Equ) throw Error($"comparison .{cmp.Value.ToString().ToLowerInvariant()} needs a float type");
        ins.Op = type == PtxType.F32 ? Opcode.SetpF : type == PtxType.F64 ? Opcode.SetpD
            : PtxTypes.IsSigned(type) ? Opcode.SetpS : Opcode.SetpU;
        ins.Compare = cmp.Value;
        ins.SrcType = type;
        int expected = ins.Combine == BoolOp.None ? 3 : 4;
        if (ops.Count != expected) throw Error($"'{s.Opcode}' expects {expected} operands");
        if (ops[0].Kind == PtxOperandKind.Register && ops[0].SecondName != null)
            ins.D2 = RegisterOf(ops[0].SecondName!);
        ins.D = Destination(ops[0] with { SecondName = null });
        ins.A = Source(ops[1], type);
        ins.B = Source(ops[2], type);
        if (expected == 4)
        {
            if (ops[3].Negated) ins.Flags |= InstrFlags.NegateC;
            ins.C = Source(ops[3] with { Negated = false }, PtxType.Pred);
        }
        ins.Mask = 1;
    }

    private void DecodeShfl(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, PtxType type)
    {
        var ops = s.Operands;
        if (!mods.Remove("sync")) throw Error("only shfl.sync is supported (legacy shfl was removed from sm_70+)");
        if (mods.Count != 1 || type != PtxType.B32) throw Error($"'{s.Opcode}' must be shfl.sync.{{up,down,bfly,idx}}.b32");
        ins.SubOp = (byte)(mods[0] switch
        {
            "up" => ShflMode.Up,
            "down" => ShflMode.Down,
            "bfly" => ShflMode.Bfly,
            "idx" => ShflMode.Idx,
            _ => throw Error($"shfl mode .{mods[0]} is not known"),
        });
        if (ops.Count != 5) throw Error("shfl.sync expects d[|p], a, b, c, membermask");
        ins.Op = Opcode.Shfl;
        if (ops[0].SecondName != null) ins.D2 = RegisterOf(ops[0].SecondName!);
        ins.D = Destination(ops[0] with { SecondName = null });
        ins.A = Source(ops[1], PtxType.B32);
        ins.B = Source(ops[2], PtxType.B32);
        ins.C = Source(ops[3], PtxType.B32);
        ins.E = Source(ops[4], PtxType.B32);
    }

    private void DecodeVote(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, PtxType type)
    {
        var ops = s.Operands;
        if (!mods.Remove("sync")) throw Error("only vote.sync is supported");
        if (mods.Count != 1) throw Error($"'{s.Opcode}' needs one mode");
        var mode = mods[0] switch
        {
            "all" => VoteMode.All,
            "any" => VoteMode.Any,
            "uni" => VoteMode.Uni,
            "ballot" => VoteMode.Ballot,
            _ => throw Error($"vote mode .{mods[0]} is not known"),
        };
        if ((mode == VoteMode.Ballot) != (type == PtxType.B32) || (mode != VoteMode.Ballot && type != PtxType.Pred))
            throw Error($"'{s.Opcode}': ballot returns .b32, the others .pred");
        if (ops.Count != 3) throw Error("vote.sync expects d, {!}a, membermask");
        ins.Op = Opcode.Vote;
        ins.SubOp = (byte)mode;
        ins.D = Destination(ops[0]);
        if (ops[1].Negated) ins.Flags |= InstrFlags.NegateC;
        ins.A = Source(ops[1] with { Negated = false }, PtxType.Pred);
        ins.E = Source(ops[2], PtxType.B32);
    }

    private void DecodeAtom(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, PtxType type, bool reduction)
    {
        var ops = s.Operands;
        var space = StateSpace.Generic;
        AtomOp? op = null;
        foreach (var m in mods)
        {
            var sp = SpaceOf(m);
            if (sp is StateSpace.Global or StateSpace.Shared) { space = sp.Value; continue; }
            if (sp != null) throw Error($"atomics on {sp} space are not allowed");
            switch (m)
            {
                case "add": op = AtomOp.Add; break;
                case "min": op = AtomOp.Min; break;
                case "max": op = AtomOp.Max; break;
                case "exch": op = AtomOp.Exch; break;
                case "cas": op = AtomOp.Cas; break;
                case "and": op = AtomOp.And; break;
                case "or": op = AtomOp.Or; break;
                case "xor": op = AtomOp.Xor; break;
                case "inc": op = AtomOp.Inc; break;
                case "dec": op = AtomOp.Dec; break;
                default:
                    if (!IgnoredMemoryModifiers.Contains(m)) throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
                    break;
            }
        }
        if (op == null) throw Error($"'{s.Opcode}' has no operation");
        bool ok = op switch
        {
            AtomOp.Add => type is PtxType.U32 or PtxType.S32 or PtxType.U64 or PtxType.F32 or PtxType.F64,
            AtomOp.Min or AtomOp.Max => type is PtxType.U32 or PtxType.S32 or PtxType.U64 or PtxType.S64,
            AtomOp.Exch or AtomOp.And or AtomOp.Or or AtomOp.Xor => type is PtxType.B32 or PtxType.B64,
            AtomOp.Cas => type is PtxType.B32 or PtxType.B64,
            _ => type == PtxType.U32,
        };
        if (!ok) throw Error($"'{s.Opcode}': .{op.Value.ToString().ToLowerInvariant()} on .{Lower(type)} is not supported");
        int operandsExpected = (reduction ? 2 : 3) + (op == AtomOp.Cas ? 1 : 0);
        if (ops.Count != operandsExpected) throw Error($"'{s.Opcode}' expects {operandsExpected} operands");
        ins.Op = Opcode.Atom;
        ins.SubOp = (byte)op.Value;
        ins.Space = space;
        int k = 0;
        if (reduction) ins.Flags |= InstrFlags.NoResult;
        else ins.D = Destination(ops[k++]);
        (ins.A, ins.Offset) = Address(ops[k++], space);
        ins.B = Source(ops[k++], type);
        if (op == AtomOp.Cas) ins.C = Source(ops[k], type);
    }

    private void DecodeCvt(PtxInstructionSyntax s, ref DecodedInstruction ins, List<string> mods, List<PtxType> types)
    {
        var ops = s.Operands;
        if (types.Count != 2) throw Error("cvt needs a destination and a source type");
        var dst = types[0];
        var src = types[1];
        foreach (var m in mods)
        {
            switch (m)
            {
                case "ftz": ins.Flags |= InstrFlags.Ftz; break;
                case "sat": ins.Flags |= InstrFlags.Sat; break;
                case "rn": ins.Rounding = RoundingMode.Rn; break;
                case "rz": ins.Rounding = RoundingMode.Rz; break;
                case "rm": ins.Rounding = RoundingMode.Rm; break;
                case "rp": ins.Rounding = RoundingMode.Rp; break;
                case "rni": ins.Rounding = RoundingMode.Rni; break;
                case "rzi": ins.Rounding = RoundingMode.Rzi; break;
                case "rmi": ins.Rounding = RoundingMode.Rmi; break;
                case "rpi": ins.Rounding = RoundingMode.Rpi; break;
                default: throw Error($"modifier .{m} of '{s.Opcode}' is not supported");
            }
        }
        ins.Op = Opcode.Cvt;
        ins.Type = dst;
        ins.SrcType = src;
        ins.Mask = PtxTypes.MaskOf(dst);
        string? problem = Conversions.Validate(dst, src, ins.Rounding, ins.Flags);
        if (problem != null) throw Error($"'{s.Opcode}': {problem}");
        if (dst is PtxType.F16x2 or PtxType.BF16x2)
        {
            if (ops.Count != 3) throw Error($"'{s.Opcode}' expects d, a, b");
            ins.D = Destination(ops[0]);
            ins.A = Source(ops[1], src);
            ins.B = Source(ops[2], src);
        }
        else
        {
            if (ops.Count != 2) throw Error($"'{s.Opcode}' expects 2 operands");
            ins.D = Destination(ops[0]);
            ins.A = Source(ops[1], src);
        }
    }
}
