using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>A PTX module parsed and decoded for the emulator. Its .global variables live in the device heap.</summary>
public sealed class EmulatedModule : IDeviceModule
{
    private readonly Dictionary<string, EmulatedFunction> _functions;

    private EmulatedModule(string name, Dictionary<string, EmulatedFunction> functions)
    {
        Name = name;
        _functions = functions;
    }

    public string Name { get; }

    public IReadOnlyList<string> FunctionNames => _functions.Keys.ToList();

    public IDeviceFunction GetFunction(string name) =>
        _functions.TryGetValue(name, out var f) ? f
            : throw new KeyNotFoundException($"Module '{Name}' has no kernel '{name}' (it has: {string.Join(", ", _functions.Keys)}).");

    public void Dispose() { }

    internal static EmulatedModule Load(string name, string ptx, EmulatedHeap heap)
    {
        var syntax = PtxParser.Parse(name, ptx);
        var lines = ptx.Split('\n');
        var symbols = new Dictionary<string, (StateSpace Space, ulong Address)>();

        // .const variables share one bank; offsets honour each variable's alignment.
        int constSize = 0;
        var constOffsets = new List<(PtxVariableSyntax Var, int Offset)>();
        foreach (var v in syntax.Globals.Where(g => g.Space == ".const"))
        {
            int align = Math.Max(1, v.Alignment);
            constSize = (constSize + align - 1) / align * align;
            constOffsets.Add((v, constSize));
            constSize += VariableSize(v);
        }
        var constBank = new MemoryRegion($"{name} const bank", 0, constSize, false);
        foreach (var (v, offset) in constOffsets)
        {
            v.Initializer?.CopyTo(constBank.Data, offset);
            symbols[v.Name] = (StateSpace.Const, (ulong)offset);
        }
        foreach (var v in syntax.Globals.Where(g => g.Space == ".global"))
        {
            // Module globals are zero-initialised like CUDA's, so they count as written.
            var region = heap.Allocate(VariableSize(v), $"{name}:{v.Name}");
            v.Initializer?.CopyTo(region.Data, 0);
            region.MarkInitialized(0, region.Length);
            symbols[v.Name] = (StateSpace.Global, region.Base);
        }
        var shared = syntax.Globals.Where(g => g.Space == ".shared").ToList();
        foreach (var g in syntax.Globals.Where(g => g.Space is not (".const" or ".global" or ".shared")))
            throw new PtxFormatException(name, g.Line, lines[g.Line - 1], $"module-scope {g.Space} variables are not supported");

        var byName = new Dictionary<string, PtxFunctionSyntax>();
        foreach (var f in syntax.Functions) byName[f.Name] = f;
        var functions = new Dictionary<string, EmulatedFunction>();
        foreach (var f in syntax.Functions.Where(f => f.IsEntry))
        {
            var flat = PtxInliner.Inline(name, lines, f, byName);
            functions[f.Name] = new EmulatedFunction(PtxDecoder.Decode(name, lines, flat, symbols, shared, constBank));
        }
        return new EmulatedModule(name, functions);
    }

    private static int VariableSize(PtxVariableSyntax v) =>
        PtxTypes.SizeOf(PtxTypes.Parse(v.ElementType)!.Value) * v.ElementCount;
}
