using PaliCuda.Kernels;
using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>
/// A PTX module JIT-compiled by the driver; its functions are resolved once each. The device that loaded it owns it:
/// every <see cref="CudaDevice.LoadModule"/> of the same PTX returns this one instance, so the JIT runs once per device
/// however many backends (and tests) ask, and <see cref="Dispose"/> leaves it loaded until the device is disposed.
/// </summary>
internal sealed class CudaDeviceModule : IDeviceModule
{
    private readonly CudaModule _module;
    private readonly int _sharedOptInLimit;
    private readonly Dictionary<string, PtxEntry> _entries;
    private readonly Dictionary<string, CudaDeviceFunction> _functions = new(StringComparer.Ordinal);

    /// <param name="sharedOptInLimit">The device's largest shared memory per block a kernel may opt in to.</param>
    public CudaDeviceModule(string name, CudaModule module, IReadOnlyList<PtxEntry> entries, int sharedOptInLimit)
    {
        Name = name;
        _module = module;
        _sharedOptInLimit = sharedOptInLimit;
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
        // With lazy module loading (the default since CUDA 12.2) resolving a function loads its code into the context.
        _module.Context.EnsureCurrent();
        f = new CudaDeviceFunction(_module.GetFunction(name), entry, _sharedOptInLimit);
        _functions[name] = f;
        return f;
    }

    /// <summary>Nothing to do: the module stays loaded for the device's other users and is unloaded with the device.</summary>
    public void Dispose()
    {
    }

    /// <summary>Unloads the module; called by the owning device when it is disposed.</summary>
    internal void Unload() => _module.Dispose();
}
