using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>
/// Turns one parsed .entry into a <see cref="DecodedKernel"/>: assigns register indices, resolves symbols,
/// labels and immediates, selects the specialised <see cref="Opcode"/> of every instruction and computes
/// branch reconvergence points. Anything the interpreter cannot execute exactly is refused here, with the
/// PTX line, so a kernel never runs with an instruction skipped.
/// </summary>
internal sealed partial class PtxDecoder
{
    /// <summary>Shared-window and local-window bases of generic addresses (see <see cref="AddressMap"/>).</summary>
    private readonly string _module;
    private readonly string[] _lines;
    private readonly PtxFunctionSyntax _f;
    private readonly IReadOnlyDictionary<string, (StateSpace Space, ulong Address)> _moduleSymbols;
    private readonly Dictionary<string, int> _registers = new();
    private readonly Dictionary<string, PtxType> _registerTypes = new();
    private readonly Dictionary<ulong, int> _constantRegs = new();
    private readonly Dictionary<SpecialRegister, int> _specialRegs = new();
    private readonly Dictionary<string, (StateSpace Space, ulong Address)> _symbols = new();
    private readonly List<int> _vectorPool = new();
    private int _registerCount;
    private int _line;

    private PtxDecoder(string module, string[] lines, PtxFunctionSyntax f,
        IReadOnlyDictionary<string, (StateSpace Space, ulong Address)> moduleSymbols)
    {
        _module = module;
        _lines = lines;
        _f = f;
        _moduleSymbols = moduleSymbols;
    }

    public static DecodedKernel Decode(string module, string[] lines, PtxFunctionSyntax f,
        IReadOnlyDictionary<string, (StateSpace Space, ulong Address)> moduleSymbols,
        IReadOnlyList<PtxVariableSyntax> moduleShared, MemoryRegion constBank) =>
        new PtxDecoder(module, lines, f, moduleSymbols).Run(moduleShared, constBank);

    private PtxFormatException Error(string message) =>
        new(_module, _line, _line >= 1 && _line <= _lines.Length ? _lines[_line - 1] : "", $"in '{_f.Name}': {message}");

    private DecodedKernel Run(IReadOnlyList<PtxVariableSyntax> moduleShared, MemoryRegion constBank)
    {
        _line = _f.Line;
        foreach (var (name, type) in _f.Registers)
        {
            _registers[name] = _registerCount++;
            _registerTypes[name] = PtxTypes.Parse(type)!.Value;
        }

        // Parameters: laid out in order, each at its alignment, as the CUDA driver does.
        var parameters = new List<KernelParameterInfo>();
        int paramOffset = 0;
        foreach (var p in _f.Parameters)
        {
            long declared = PtxLimits.SizeOf(p);
            int align = Math.Max(1, p.Alignment);
            paramOffset = (paramOffset + align - 1) / align * align;
            if (paramOffset + declared > PtxLimits.MaxParameterBytes)
                throw Error($"parameters take more than {PtxLimits.MaxParameterBytes} bytes (at '{p.Name}')");
            int size = (int)declared;
            parameters.Add(new KernelParameterInfo(p.Name, paramOffset, size, align));
            _symbols[p.Name] = (StateSpace.Param, (ulong)paramOffset);
            paramOffset += size;
        }

        // Shared memory: module-scope variables this kernel refers to, then function-scope ones, then the
        // dynamic (extern, unsized) array aligned to the largest extern alignment.
        var referenced = new HashSet<string>();
        foreach (var ins in _f.Body)
            foreach (var op in ins.Operands)
                Collect(op, referenced);
        int sharedOffset = 0, localOffset = 0, dynamicAlign = 1;
        var dynamicNames = new List<string>();
        foreach (var v in moduleShared.Concat(_f.Locals.Where(l => l.Space == ".shared")))
        {
            bool moduleScope = !_f.Locals.Contains(v);
            if (moduleScope && !referenced.Contains(v.Name)) continue;
            if (v.IsUnsizedArray)
            {
                dynamicAlign = Math.Max(dynamicAlign, v.Alignment);
                dynamicNames.Add(v.Name);
                continue;
            }
            sharedOffset = Align(sharedOffset, v.Alignment);
            _symbols[v.Name] = (StateSpace.Shared, (ulong)sharedOffset);
            sharedOffset += VariableSize(v, EmulatedFunction.MaxSharedPerBlock - sharedOffset, "shared memory");
        }
        int staticShared = sharedOffset;
        int dynamicOffset = Align(staticShared, Math.Max(dynamicAlign, 16));
        foreach (var n in dynamicNames) _symbols[n] = (StateSpace.Shared, (ulong)dynamicOffset);
        // The .local depot, then call-site .param slots (arguments and return values of inlined calls),
        // which are per-thread call-frame memory.
        foreach (var v in _f.Locals.Where(l => l.Space is ".local" or ".param"))
        {
            localOffset = Align(localOffset, v.Alignment);
            _symbols[v.Name] = (StateSpace.Local, (ulong)localOffset);
            localOffset += VariableSize(v, PtxLimits.MaxLocalBytesPerThread - localOffset, "local memory per thread");
        }

        var code = new DecodedInstruction[_f.Body.Count];
        for (int i = 0; i < code.Length; i++)
        {
            var syntax = _f.Body[i];
            _line = syntax.Line;
            code[i] = DecodeOne(syntax);
            code[i].Line = syntax.Line;
            if (syntax.GuardRegister != null)
            {
                code[i].Guard = RegisterOf(syntax.GuardRegister);
                code[i].GuardNegated = syntax.GuardNegated;
            }
            else code[i].Guard = -1;
        }
        ControlFlow.ComputeReconvergence(code);

        return new DecodedKernel
        {
            Name = _f.Name,
            ModuleName = _module,
            Code = code,
            VectorPool = _vectorPool.ToArray(),
            RegisterCount = _registerCount,
            Constants = _constantRegs.Select(kv => (kv.Value, kv.Key)).ToArray(),
            Specials = _specialRegs.Select(kv => (kv.Value, kv.Key)).ToArray(),
            Parameters = parameters,
            StaticSharedBytes = staticShared,
            DynamicSharedOffset = dynamicOffset,
            LocalBytes = localOffset,
            DeclaredMaxThreads = _f.MaxThreads,
            ConstBank = constBank,
            SourceLines = _lines,
            RegisterNames = NamesByIndex(),
            RegisterTypes = TypesByIndex(),
            BlockShape = _f.BlockShape,
        };
    }

    private string?[] NamesByIndex()
    {
        var names = new string?[_registerCount];
        foreach (var (name, index) in _registers) names[index] = name.Replace('#', '.'); // scoped names: "%p#3" -> "%p.3"
        return names;
    }

    private PtxType[] TypesByIndex()
    {
        var types = new PtxType[_registerCount];
        foreach (var (name, index) in _registers) types[index] = _registerTypes[name];
        return types;
    }

    private static int Align(int v, int a) => a <= 1 ? v : (v + a - 1) / a * a;

    /// <summary>The size of <paramref name="v"/>, which must fit in the <paramref name="room"/> left of its space.</summary>
    private int VariableSize(PtxVariableSyntax v, long room, string space)
    {
        long size = PtxLimits.SizeOf(v);
        if (size > room)
        {
            _line = v.Line;
            throw Error($"'{v.Name}' ({size} bytes) does not fit in the kernel's {space}");
        }
        return (int)size;
    }

    private static void Collect(PtxOperandSyntax op, HashSet<string> names)
    {
        if (op.Name != null) names.Add(op.Name);
        if (op.Elements != null) foreach (var e in op.Elements) Collect(e, names);
    }

    // ---- operand helpers ------------------------------------------------------------------------

    private int NewRegister() => _registerCount++;

    private int ConstantRegister(ulong value)
    {
        if (!_constantRegs.TryGetValue(value, out int r))
        {
            r = NewRegister();
            _constantRegs[value] = r;
        }
        return r;
    }

    private int RegisterOf(string name)
    {
        if (_registers.TryGetValue(name, out int r)) return r;
        var special = SpecialRegisters.Parse(name);
        if (special != null)
        {
            if (!_specialRegs.TryGetValue(special.Value, out r))
            {
                r = NewRegister();
                _specialRegs[special.Value] = r;
            }
            return r;
        }
        throw Error($"unknown register '{name}'");
    }

    /// <summary>Register index of a source operand; immediates and symbols become constant registers.</summary>
    private int Source(PtxOperandSyntax op, PtxType type)
    {
        switch (op.Kind)
        {
            case PtxOperandKind.Register:
                if (op.Negated) throw Error("a negated operand is not supported here");
                return RegisterOf(op.Name!);
            case PtxOperandKind.Immediate:
                return ConstantRegister(PtxLiterals.Parse(op.Literal!, type)
                    ?? throw Error($"literal '{op.Literal}' is not a valid .{type.ToString().ToLowerInvariant()} value"));
            case PtxOperandKind.Symbol:
                if (_registers.ContainsKey(op.Name!)) return RegisterOf(op.Name!);
                return ConstantRegister(SymbolAddress(op.Name!) + (ulong)op.Offset);
            default:
                throw Error($"expected a register or immediate operand, found {op.Kind}");
        }
    }

    private ulong SymbolAddress(string name)
    {
        if (_symbols.TryGetValue(name, out var s) || _moduleSymbols.TryGetValue(name, out s)) return s.Address;
        throw Error($"unknown symbol '{name}'");
    }

    private int Destination(PtxOperandSyntax op)
    {
        if (op.Kind == PtxOperandKind.Sink) return NewRegister();
        if (op.Kind == PtxOperandKind.Register || (op.Kind == PtxOperandKind.Symbol && _registers.ContainsKey(op.Name!)))
        {
            if (SpecialRegisters.Parse(op.Name!) != null) throw Error($"cannot write special register {op.Name}");
            return RegisterOf(op.Name!);
        }
        throw Error($"expected a destination register, found {op.Kind}");
    }

    /// <summary>Decodes [base+offset] into a base register (a zero constant when absent) and a byte offset.
    /// A symbol base contributes its address in its own space (plus the generic window when the access is generic).</summary>
    private (int Base, long Offset) Address(PtxOperandSyntax op, StateSpace space)
    {
        if (op.Kind != PtxOperandKind.Address) throw Error("expected an address operand [..]");
        if (op.Name == null) return (ConstantRegister(0), op.Offset);
        if (_registers.ContainsKey(op.Name) || op.Name.StartsWith('%')) return (RegisterOf(op.Name), op.Offset);
        if (!_symbols.TryGetValue(op.Name, out var sym) && !_moduleSymbols.TryGetValue(op.Name, out sym))
            throw Error($"unknown symbol '{op.Name}'");
        ulong addr = sym.Address;
        if (space == StateSpace.Generic)
        {
            addr = sym.Space switch
            {
                StateSpace.Shared => AddressMap.SharedWindow + addr,
                StateSpace.Local => AddressMap.LocalWindow + addr,
                StateSpace.Global => addr,
                _ => throw Error($"generic access to {sym.Space} symbol '{op.Name}' is not supported"),
            };
        }
        else if (space != sym.Space)
        {
            throw Error($"symbol '{op.Name}' is in {sym.Space} space but the access is {space}");
        }
        return (ConstantRegister(0), (long)addr + op.Offset);
    }

    /// <summary>Appends a vector operand's elements to the pool; returns (start, count).</summary>
    private (int Start, int Count) Vector(PtxOperandSyntax op, PtxType elementType, bool destination)
    {
        if (op.Kind != PtxOperandKind.Vector) throw Error("expected a vector operand {..}");
        var regs = op.Elements!.Select(e => destination ? Destination(e) : Source(e, elementType)).ToList();
        int start = _vectorPool.Count;
        _vectorPool.AddRange(regs);
        return (start, regs.Count);
    }

    private static string Lower(PtxType t) => t.ToString().ToLowerInvariant();
}
