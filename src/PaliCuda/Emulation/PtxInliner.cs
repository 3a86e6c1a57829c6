namespace PaliCuda.Emulation;

/// <summary>
/// Expands every direct call of an .entry into the body of the called .func, recursively, so the interpreter
/// and its reconvergence analysis see one flat function. Each inlined instance gets its own registers, labels,
/// .local depot and call slots (names suffixed "@n"); its parameters and return values become the caller's
/// call-site .param slots, which live in per-thread local memory like the rest of the call frame; a ret
/// becomes a branch to the end of the instance. Recursion and calls to functions without a body are refused.
/// </summary>
internal sealed class PtxInliner
{
    private readonly string _module;
    private readonly string[] _lines;
    private readonly IReadOnlyDictionary<string, PtxFunctionSyntax> _functions;
    private readonly List<PtxInstructionSyntax> _body = new();
    private readonly Dictionary<string, int> _labels = new();
    private readonly Dictionary<string, string> _registers;
    private readonly List<PtxVariableSyntax> _locals;
    private int _instances;

    private PtxInliner(string module, string[] lines, PtxFunctionSyntax entry, IReadOnlyDictionary<string, PtxFunctionSyntax> functions)
    {
        _module = module;
        _lines = lines;
        _functions = functions;
        _registers = new Dictionary<string, string>(entry.Registers);
        _locals = new List<PtxVariableSyntax>(entry.Locals);
    }

    public static PtxFunctionSyntax Inline(string module, string[] lines, PtxFunctionSyntax entry,
        IReadOnlyDictionary<string, PtxFunctionSyntax> functions)
    {
        if (!entry.Body.Any(IsCall)) return entry;
        var inliner = new PtxInliner(module, lines, entry, functions);
        inliner.Emit(entry, name => name, returnLabel: null, new List<string> { entry.Name });
        return entry with
        {
            Body = inliner._body,
            Labels = inliner._labels,
            Registers = inliner._registers,
            Locals = inliner._locals,
        };
    }

    private static bool IsCall(PtxInstructionSyntax s) => s.Opcode == "call" || s.Opcode.StartsWith("call.", StringComparison.Ordinal);

    private PtxFormatException Error(int line, string message) =>
        new(_module, line, line >= 1 && line <= _lines.Length ? _lines[line - 1] : "", message);

    private void Emit(PtxFunctionSyntax f, Func<string, string> rename, string? returnLabel, List<string> callStack)
    {
        var labelsAt = f.Labels.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).ToList());
        for (int i = 0; i <= f.Body.Count; i++)
        {
            if (labelsAt.TryGetValue(i, out var names))
                foreach (var l in names) _labels[rename(l)] = _body.Count;
            if (i == f.Body.Count) break;
            var s = f.Body[i];
            string? guard = s.GuardRegister == null ? null : rename(s.GuardRegister);
            if (IsCall(s))
            {
                InlineCall(s, guard, rename, callStack);
                continue;
            }
            if (returnLabel != null && s.Opcode is "ret" or "ret.uni")
            {
                // An unguarded ret leaves uniformly; a guarded one may diverge, so it must not claim .uni.
                var target = new PtxOperandSyntax(PtxOperandKind.Symbol, Name: returnLabel);
                _body.Add(new PtxInstructionSyntax(guard, s.GuardNegated, guard == null ? "bra.uni" : "bra", new[] { target }, s.Line));
                continue;
            }
            _body.Add(s with { GuardRegister = guard, Operands = s.Operands.Select(o => Rename(o, rename)).ToList() });
        }
    }

    private void InlineCall(PtxInstructionSyntax call, string? guard, Func<string, string> callerRename, List<string> callStack)
    {
        if (guard != null) throw Error(call.Line, "a predicated call is not supported");
        string target = call.Operands[1].Name!;
        if (!_functions.TryGetValue(target, out var callee) || callee.IsEntry)
            throw Error(call.Line, $"call to '{target}', which has no .func body in this module (external and indirect calls are not supported)");
        if (callStack.Contains(target))
            throw Error(call.Line, $"recursive call to '{target}' ({string.Join(" -> ", callStack)} -> {target}) is not supported");
        var returns = call.Operands[0].Elements!.Select(e => callerRename(e.Name!)).ToList();
        var args = call.Operands[2].Elements!.Select(e => callerRename(e.Name!)).ToList();
        if (args.Count != callee.Parameters.Count)
            throw Error(call.Line, $"call to '{target}' passes {args.Count} arguments but it takes {callee.Parameters.Count}");
        if (returns.Count > callee.ReturnParameters.Count)
            throw Error(call.Line, $"call to '{target}' expects {returns.Count} return values but it has {callee.ReturnParameters.Count}");

        int instance = ++_instances;
        string Suffix(string name) => $"{name}@{instance}";
        var own = new HashSet<string>(callee.Registers.Keys);
        own.UnionWith(callee.Labels.Keys);
        own.UnionWith(callee.Locals.Where(v => v.Space != ".shared").Select(v => v.Name));
        var bound = new Dictionary<string, string>();
        for (int i = 0; i < args.Count; i++) bound[callee.Parameters[i].Name] = args[i];
        for (int i = 0; i < callee.ReturnParameters.Count; i++)
        {
            var r = callee.ReturnParameters[i];
            if (i < returns.Count) bound[r.Name] = returns[i];
            else
            {
                // The caller ignores this return value: the callee still writes it somewhere.
                _locals.Add(r with { Space = ".param", Name = Suffix(r.Name) });
                bound[r.Name] = Suffix(r.Name);
            }
        }
        string Rename(string name) => own.Contains(name) ? Suffix(name) : bound.TryGetValue(name, out var b) ? b : name;

        foreach (var (name, type) in callee.Registers) _registers[Suffix(name)] = type;
        foreach (var v in callee.Locals)
        {
            if (v.Space == ".shared")
            {
                if (!_locals.Any(l => l.Space == ".shared" && l.Name == v.Name)) _locals.Add(v);
            }
            else _locals.Add(v with { Name = Suffix(v.Name) });
        }
        string returnLabel = $"$return@{instance}";
        Emit(callee, Rename, returnLabel, new List<string>(callStack) { target });
        _labels[returnLabel] = _body.Count;
    }

    private static PtxOperandSyntax Rename(PtxOperandSyntax op, Func<string, string> rename) => op with
    {
        Name = op.Name == null ? null : rename(op.Name),
        SecondName = op.SecondName == null ? null : rename(op.SecondName),
        Elements = op.Elements?.Select(e => Rename(e, rename)).ToList(),
    };
}
