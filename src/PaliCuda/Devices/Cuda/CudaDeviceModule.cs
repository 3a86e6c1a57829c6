using PaliCuda.Kernels;
using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A PTX module JIT-compiled by the driver; its functions are resolved once each.</summary>
internal sealed class CudaDeviceModule : IDeviceModule
{
    private readonly CudaModule _module;
    private readonly Dictionary<string, PtxEntry> _entries;
    private readonly Dictionary<string, CudaDeviceFunction> _functions = new(StringComparer.Ordinal);

    public CudaDeviceModule(string name, CudaModule module, IReadOnlyList<PtxEntry> entries)
    {
        Name = name;
        _module = module;
        _entries = entries.Where(e => e.Visible).ToDictionary(e => e.Name, StringComparer.Ordinal);
        FunctionNames = [.. _entries.Keys];
    }

    public string Name { get; }
    public IReadOnlyList<string> FunctionNames { get; }

    public IDeviceFunction GetFunction(string name)
    {
        if (_functions.TryGetValue(name, out var f)) return f;
        if (!_entries.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"module '{Name}' has no kernel '{name}'; it has: {string.Join(", ", FunctionNames)}");
        f = new CudaDeviceFunction(_module.GetFunction(name), entry);
        _functions[name] = f;
        return f;
    }

    public void Dispose() => _module.Dispose();
}
