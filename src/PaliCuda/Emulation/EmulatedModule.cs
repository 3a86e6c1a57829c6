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
            constSize += VariableSize(v, name, lines, PtxLimits.MaxConstBytes - constSize, "constant bank");
        }
        var constBank = new MemoryRegion($"{name} const bank", 0, constSize, false);
        foreach (var (v, offset) in constOffsets)
        {
            v.Initializer?.CopyTo(constBank.Data, offset);
            symbols[v.Name] = (StateSpace.Const, (ulong)offset);
        }
        // Sizes are checked before anything is allocated, so a rejected module leaves nothing on the heap.
        long globalBytes = 0;
        foreach (var v in syntax.Globals.Where(g => g.Space == ".global"))
            globalBytes += VariableSize(v, name, lines, PtxLimits.MaxModuleGlobalBytes - globalBytes, "module .global variables");
        foreach (var v in syntax.Globals.Where(g => g.Space == ".global"))
        {
            // Module globals are zero-initialised like CUDA's, so they count as written.
            var region = heap.Allocate(PtxLimits.SizeOf(v), $"{name}:{v.Name}");
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

    /// <summary>The size of <paramref name="v"/>, which must fit in the <paramref name="room"/> left of its space.</summary>
    private static int VariableSize(PtxVariableSyntax v, string module, string[] lines, long room, string space)
    {
        long size = PtxLimits.SizeOf(v);
        if (size > room)
            throw new PtxFormatException(module, v.Line, lines[v.Line - 1], $"'{v.Name}' ({size} bytes) does not fit in the {space}");
        return (int)size;
    }
}
