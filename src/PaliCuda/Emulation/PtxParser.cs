using System.Globalization;

namespace PaliCuda.Emulation;

/// <summary>
/// Parses PTX text (as nvcc emits it) into <see cref="PtxModuleSyntax"/>. Registers declared inside
/// nested { } scopes (nvcc's inline-asm blocks) are renamed to unique names so the decoder sees one flat
/// register namespace per function.
/// </summary>
internal sealed class PtxParser
{
    private readonly string _module;
    private readonly string[] _lines;
    private readonly List<PtxToken> _t;
    private int _p;

    private PtxParser(string module, string text)
    {
        _module = module;
        _lines = text.Split('\n');
        _t = PtxLexer.Tokenize(text, Error);
    }

    public static PtxModuleSyntax Parse(string module, string text) => new PtxParser(module, text).ParseModule();

    private PtxFormatException Error(int line, string message) =>
        new(_module, line, line >= 1 && line <= _lines.Length ? _lines[line - 1] : "", message);

    private PtxToken Peek(int ahead = 0) => _t[Math.Min(_p + ahead, _t.Count - 1)];

    private PtxToken Next() => _t[Math.Min(_p++, _t.Count - 1)];

    private PtxToken Expect(string text)
    {
        var tok = Next();
        if (!tok.Is(text)) throw Error(tok.Line, $"expected '{text}' but found '{tok.Text}'");
        return tok;
    }

    private string ExpectIdentifier()
    {
        var tok = Next();
        if (tok.Kind != PtxTokenKind.Identifier) throw Error(tok.Line, $"expected a name but found '{tok.Text}'");
        return tok.Text;
    }

    private long ExpectInteger()
    {
        var tok = Next();
        if (tok.Kind != PtxTokenKind.Number || !TryParseInteger(tok.Text, out long v))
            throw Error(tok.Line, $"expected an integer but found '{tok.Text}'");
        return v;
    }

    internal static bool TryParseInteger(string text, out long value)
    {
        string s = text.EndsWith('U') ? text[..^1] : text;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || s.StartsWith("0X", StringComparison.Ordinal))
        {
            bool ok = ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong u);
            value = (long)u;
            return ok;
        }
        if (s.Length > 1 && s[0] == '0' && s.All(char.IsDigit))
        {
            value = 0;
            foreach (char ch in s) { if (ch > '7') return false; value = value * 8 + (ch - '0'); }
            return true;
        }
        if (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong d)) { value = (long)d; return true; }
        value = 0;
        return false;
    }

    private PtxModuleSyntax ParseModule()
    {
        string version = "", target = "";
        int addressSize = 0;
        var globals = new List<PtxVariableSyntax>();
        var functions = new List<PtxFunctionSyntax>();
        while (Peek().Kind != PtxTokenKind.End)
        {
            var tok = Peek();
            switch (tok.Text)
            {
                case ".version": Next(); version = Next().Text; break;
                case ".target":
                    Next();
                    target = ExpectIdentifier();
                    while (Peek().Is(",")) { Next(); ExpectIdentifier(); }
                    break;
                case ".address_size": Next(); addressSize = (int)ExpectInteger(); break;
                case ".visible" or ".extern" or ".weak" or ".entry" or ".func" or ".global" or ".const" or ".shared":
                {
                    int save = _p;
                    while (Peek().Text is ".visible" or ".extern" or ".weak") Next();
                    var kind = Peek();
                    if (kind.Text is ".entry" or ".func")
                    {
                        var f = ParseFunction();
                        if (f != null) functions.Add(f);
                    }
                    else
                    {
                        _p = save;
                        while (Peek().Text is ".visible" or ".extern" or ".weak") Next();
                        globals.Add(ParseVariable());
                    }
                    break;
                }
                case ".file" or ".loc":
                    SkipLine(tok.Line);
                    break;
                case ".section":
                    SkipSection();
                    break;
                default:
                    throw Error(tok.Line, $"unexpected '{tok.Text}' at module scope");
            }
        }
        if (addressSize != 64) throw Error(1, $"only .address_size 64 is supported (found {addressSize})");
        return new PtxModuleSyntax(version, target, addressSize, globals, functions);
    }

    /// <summary>Parses "[.space] [.align N] .type name[N]? [= init];" (the space token is current).</summary>
    private PtxVariableSyntax ParseVariable(bool isParam = false)
    {
        var first = Next();
        string space = first.Text;
        int align = 0;
        string type = "";
        while (Peek().Kind == PtxTokenKind.Identifier && Peek().Text.StartsWith('.'))
        {
            var mod = Next().Text;
            if (mod == ".align")
            {
                long requested = ExpectInteger();
                if (requested < 1 || requested > PtxLimits.MaxAlignment || (requested & (requested - 1)) != 0)
                    throw Error(first.Line, $".align {requested} is not a power of two up to {PtxLimits.MaxAlignment}");
                align = (int)requested;
            }
            else if (mod is ".ptr" or ".global" or ".shared" or ".local" or ".const") { /* pointer attributes on params */ }
            else type = mod[1..];
        }
        if (type == "") throw Error(first.Line, "variable without a type");
        string name = ExpectIdentifier();
        int count = 1;
        bool unsized = false;
        if (Peek().Is("["))
        {
            Next();
            if (Peek().Is("]")) { unsized = true; count = 0; }
            else
            {
                long declared = ExpectInteger();
                if (declared < 1 || declared > PtxLimits.MaxArrayElements)
                    throw Error(first.Line, $"array of {declared} elements (1 to {PtxLimits.MaxArrayElements} allowed)");
                count = (int)declared;
            }
            Expect("]");
        }
        byte[]? init = null;
        if (Peek().Is("="))
        {
            Next();
            init = ParseInitializer(type, count, first.Line);
        }
        if (!isParam) Expect(";");
        int size = PtxTypes.SizeOf(PtxTypes.Parse(type) ?? throw Error(first.Line, $"unknown type .{type}"));
        if (align == 0) align = size;
        return new PtxVariableSyntax(space, name, type, align, count, unsized, init, first.Line);
    }

    private byte[] ParseInitializer(string type, int count, int line)
    {
        var t = PtxTypes.Parse(type) ?? throw Error(line, $"unknown type .{type}");
        int size = PtxTypes.SizeOf(t);
        var bytes = new byte[size * count];
        var values = new List<string>();
        bool braced = Peek().Is("{");
        if (braced) Next();
        while (true)
        {
            bool neg = false;
            if (Peek().Is("-")) { Next(); neg = true; }
            var tok = Next();
            if (tok.Kind != PtxTokenKind.Number) throw Error(tok.Line, $"unsupported initializer element '{tok.Text}'");
            values.Add((neg ? "-" : "") + tok.Text);
            if (!braced) break;
            if (Peek().Is(",")) { Next(); continue; }
            Expect("}");
            break;
        }
        if (values.Count > count) throw Error(line, $"{values.Count} initializers for {count} elements");
        for (int i = 0; i < values.Count; i++)
        {
            ulong bits = PtxLiterals.Parse(values[i], t) ?? throw Error(line, $"bad literal '{values[i]}' for .{type}");
            for (int b = 0; b < size; b++) bytes[i * size + b] = (byte)(bits >> (8 * b));
        }
        return bytes;
    }

    private PtxFunctionSyntax? ParseFunction()
    {
        var kindTok = Next();
        bool isEntry = kindTok.Text == ".entry";
        var returns = new List<PtxVariableSyntax>();
        if (!isEntry && Peek().Is("("))
        {
            Next();
            while (!Peek().Is(")")) { if (Peek().Is(",")) Next(); else returns.Add(ParseVariable(isParam: true)); }
            Next();
        }
        string name = ExpectIdentifier();
        var parameters = new List<PtxVariableSyntax>();
        if (Peek().Is("("))
        {
            Next();
            while (!Peek().Is(")"))
            {
                if (Peek().Is(",")) { Next(); continue; }
                parameters.Add(ParseVariable(isParam: true));
            }
            Next();
        }
        int maxThreads = 0;
        PtxBlockShapeSyntax? shape = null;
        while (Peek().Kind == PtxTokenKind.Identifier && Peek().Text.StartsWith('.'))
        {
            var directive = Next();
            var nums = new List<long> { ExpectInteger() };
            while (Peek().Is(",")) { Next(); nums.Add(ExpectInteger()); }
            if (directive.Text is ".maxntid" or ".reqntid")
            {
                if (nums.Count > 3 || nums.Any(n => n < 1)) throw Error(directive.Line, $"{directive.Text} needs one to three positive sizes");
                long product = 1;
                foreach (var n in nums) product *= n;
                maxThreads = (int)Math.Min(product, int.MaxValue);
                shape = new PtxBlockShapeSyntax(directive.Text == ".reqntid", nums[0], nums.Count > 1 ? nums[1] : 1, nums.Count > 2 ? nums[2] : 1);
            }
            else if (directive.Text is not (".minnctapersm" or ".maxnreg" or ".maxnctapersm"))
                throw Error(directive.Line, $"unsupported performance directive '{directive.Text}'");
        }
        if (Peek().Is(";")) { Next(); return null; } // a prototype
        Expect("{");
        var body = new List<PtxInstructionSyntax>();
        var labels = new Dictionary<string, int>();
        var locals = new List<PtxVariableSyntax>();
        var registers = new Dictionary<string, string>();
        var scopes = new List<Dictionary<string, string>> { new() };
        int uniq = 0;
        while (true)
        {
            var tok = Peek();
            if (tok.Kind == PtxTokenKind.End) throw Error(tok.Line, $"function '{name}' is not closed");
            if (tok.Is("}"))
            {
                Next();
                scopes.RemoveAt(scopes.Count - 1);
                if (scopes.Count == 0) break;
                continue;
            }
            if (tok.Is("{")) { Next(); scopes.Add(new Dictionary<string, string>()); continue; }
            if (tok.Text == ".reg")
            {
                Next();
                string type = ExpectIdentifier()[1..];
                if (PtxTypes.Parse(type) == null) throw Error(tok.Line, $"unknown register type .{type}");
                while (true)
                {
                    string rname = ExpectIdentifier();
                    if (Peek().Is("<"))
                    {
                        Next();
                        long n = ExpectInteger();
                        Expect(">");
                        if (n > PtxLimits.MaxRegisters - registers.Count)
                            throw Error(tok.Line, $"more than {PtxLimits.MaxRegisters} registers declared in one function");
                        for (int k = 0; k < n; k++) Declare(rname + k.ToString(CultureInfo.InvariantCulture));
                    }
                    else Declare(rname);
                    if (Peek().Is(",")) { Next(); continue; }
                    Expect(";");
                    break;
                }

                void Declare(string declared)
                {
                    string unique = scopes.Count == 1 ? declared : $"{declared}#{++uniq}";
                    scopes[^1][declared] = unique;
                    registers[unique] = type;
                }
                continue;
            }
            if (tok.Text is ".local" or ".shared")
            {
                locals.Add(ParseVariable());
                continue;
            }
            if (tok.Text == ".param")
            {
                // Call-site argument and return slots, declared inside { } call sequences that reuse their names.
                var v = ParseVariable();
                string unique = scopes.Count == 1 ? v.Name : $"{v.Name}#{++uniq}";
                scopes[^1][v.Name] = unique;
                locals.Add(v with { Name = unique });
                continue;
            }
            if (tok.Text == ".loc")
            {
                SkipLine(tok.Line);
                continue;
            }
            if (tok.Text == ".pragma")
            {
                Next();
                while (!Peek().Is(";")) Next();
                Next();
                continue;
            }
            if (tok.Kind == PtxTokenKind.Identifier && Peek(1).Is(":"))
            {
                Next(); Next();
                labels[tok.Text] = body.Count;
                continue;
            }
            body.Add(ParseInstruction(Resolve));
        }
        return new PtxFunctionSyntax(name, isEntry, parameters, locals, body, labels, registers, maxThreads, kindTok.Line)
        {
            ReturnParameters = returns,
            BlockShape = shape,
        };

        string Resolve(string n)
        {
            for (int s = scopes.Count - 1; s >= 0; s--)
                if (scopes[s].TryGetValue(n, out var u)) return u;
            return n;
        }
    }

    private PtxInstructionSyntax ParseInstruction(Func<string, string> resolve)
    {
        int line = Peek().Line;
        string? guard = null;
        bool guardNeg = false;
        if (Peek().Is("@"))
        {
            Next();
            if (Peek().Is("!")) { Next(); guardNeg = true; }
            guard = resolve(ExpectIdentifier());
        }
        var opTok = Next();
        if (opTok.Kind != PtxTokenKind.Identifier) throw Error(opTok.Line, $"expected an instruction but found '{opTok.Text}'");
        if (opTok.Text == "call" || opTok.Text.StartsWith("call.", StringComparison.Ordinal))
            return ParseCall(opTok, guard, guardNeg, line, resolve);
        var operands = new List<PtxOperandSyntax>();
        while (!Peek().Is(";"))
        {
            if (Peek().Kind == PtxTokenKind.End) throw Error(line, "instruction not terminated by ';'");
            operands.Add(ParseOperand(resolve));
            if (Peek().Is(",")) Next();
            else if (!Peek().Is(";")) throw Error(Peek().Line, $"unexpected '{Peek().Text}' in operands");
        }
        Next();
        return new PtxInstructionSyntax(guard, guardNeg, opTok.Text, operands, line);
    }

    /// <summary>"call[.uni] [(ret, ...),] target[, (arg, ...)];" becomes three operands: a vector of return
    /// slots (possibly empty), the target symbol and a vector of argument slots.</summary>
    private PtxInstructionSyntax ParseCall(PtxToken opTok, string? guard, bool guardNeg, int line, Func<string, string> resolve)
    {
        var returns = new List<PtxOperandSyntax>();
        var args = new List<PtxOperandSyntax>();
        if (Peek().Is("("))
        {
            returns = ParseNameList(resolve);
            Expect(",");
        }
        var target = Next();
        if (target.Kind != PtxTokenKind.Identifier) throw Error(target.Line, $"expected a call target but found '{target.Text}'");
        if (Peek().Is(","))
        {
            Next();
            if (!Peek().Is("(")) throw Error(Peek().Line, "indirect calls through a prototype are not supported");
            args = ParseNameList(resolve);
        }
        if (Peek().Is(",")) throw Error(Peek().Line, "indirect calls through a prototype are not supported");
        Expect(";");
        var operands = new List<PtxOperandSyntax>
        {
            new(PtxOperandKind.Vector, Elements: returns),
            new(PtxOperandKind.Symbol, Name: target.Text),
            new(PtxOperandKind.Vector, Elements: args),
        };
        return new PtxInstructionSyntax(guard, guardNeg, opTok.Text, operands, line);
    }

    private List<PtxOperandSyntax> ParseNameList(Func<string, string> resolve)
    {
        Expect("(");
        var names = new List<PtxOperandSyntax>();
        while (!Peek().Is(")"))
        {
            if (Peek().Is(",")) { Next(); continue; }
            var tok = Next();
            if (tok.Kind != PtxTokenKind.Identifier) throw Error(tok.Line, $"call arguments must be .param variables, found '{tok.Text}'");
            names.Add(new PtxOperandSyntax(PtxOperandKind.Symbol, Name: resolve(tok.Text)));
        }
        Next();
        return names;
    }

    /// <summary>Skips the rest of a debug directive's line (.loc, .file).</summary>
    private void SkipLine(int line)
    {
        while (Peek().Kind != PtxTokenKind.End && Peek().Line == line) Next();
    }

    /// <summary>Skips a debug section (.section .debug_* { ... }), whose body holds @@DWARF and byte directives.</summary>
    private void SkipSection()
    {
        var start = Next();
        var name = Next();
        if (!name.Text.StartsWith(".debug", StringComparison.Ordinal))
            throw Error(start.Line, $"section '{name.Text}' is not supported (only .debug_* sections, which are skipped)");
        if (!Peek().Is("{")) return;
        int depth = 0;
        do
        {
            var tok = Next();
            if (tok.Kind == PtxTokenKind.End) throw Error(start.Line, "debug section is not closed");
            if (tok.Is("{")) depth++;
            else if (tok.Is("}")) depth--;
        }
        while (depth > 0);
    }

    private PtxOperandSyntax ParseOperand(Func<string, string> resolve)
    {
        var tok = Peek();
        if (tok.Is("["))
        {
            Next();
            string? baseName = null;
            long offset = 0;
            if (Peek().Kind == PtxTokenKind.Identifier) baseName = resolve(Next().Text);
            else offset = ParseSignedInteger();
            while (Peek().Is("+") || Peek().Is("-"))
            {
                bool minus = Next().Is("-");
                long v = ParseSignedInteger();
                offset += minus ? -v : v;
            }
            Expect("]");
            return new PtxOperandSyntax(PtxOperandKind.Address, Name: baseName, Offset: offset);
        }
        if (tok.Is("{"))
        {
            Next();
            var elems = new List<PtxOperandSyntax>();
            while (!Peek().Is("}"))
            {
                elems.Add(ParseOperand(resolve));
                if (Peek().Is(",")) Next();
            }
            Next();
            return new PtxOperandSyntax(PtxOperandKind.Vector, Elements: elems);
        }
        if (tok.Is("!"))
        {
            Next();
            var inner = ParseOperand(resolve);
            return inner with { Negated = true };
        }
        if (tok.Is("-") || tok.Kind == PtxTokenKind.Number)
        {
            bool neg = false;
            if (tok.Is("-")) { Next(); neg = true; }
            var num = Next();
            if (num.Kind != PtxTokenKind.Number) throw Error(num.Line, $"expected a number after '-' but found '{num.Text}'");
            return new PtxOperandSyntax(PtxOperandKind.Immediate, Literal: (neg ? "-" : "") + num.Text);
        }
        if (tok.Kind == PtxTokenKind.Identifier)
        {
            Next();
            if (tok.Text == "_") return new PtxOperandSyntax(PtxOperandKind.Sink);
            string name = resolve(tok.Text);
            string? second = null;
            if (Peek().Is("|")) { Next(); second = resolve(ExpectIdentifier()); }
            long offset = 0;
            if (Peek().Is("+") && !name.StartsWith('%'))
            {
                Next();
                offset = ParseSignedInteger();
            }
            var kind = name.StartsWith('%') || name.Contains('#') ? PtxOperandKind.Register : PtxOperandKind.Symbol;
            return new PtxOperandSyntax(kind, Name: name, SecondName: second, Offset: offset);
        }
        throw Error(tok.Line, $"unexpected '{tok.Text}' as an operand");
    }

    private long ParseSignedInteger()
    {
        bool neg = false;
        if (Peek().Is("-")) { Next(); neg = true; }
        long v = ExpectInteger();
        return neg ? -v : v;
    }
}
