using PaliCuda.Devices;
using PaliCuda.Kernels;

namespace PaliCuda.Backends.Gpu;

/// <summary>
/// Loads the embedded PTX modules on a device on first use and launches entries of the launcher table
/// (<see cref="KernelCatalog"/>); a failing launch is reported with the kernel's name and launch shape.
/// </summary>
internal sealed class GpuKernels(IComputeDevice device, bool stripLineInfo) : IDisposable
{
    private readonly Dictionary<string, IDeviceModule> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDeviceFunction> _functions = new(StringComparer.Ordinal);

    public void Launch(string entry, Dim3 grid, Dim3 block, KernelArguments arguments, int dynamicSharedBytes = 0)
    {
        var function = Function(entry);
        try
        {
            // Above 48 KB CUDA wants the per-function opt-in; the device still refuses more than it has.
            if (dynamicSharedBytes > function.MaxDynamicSharedBytes) function.SetMaxDynamicSharedBytes(dynamicSharedBytes);
            device.Launch(function, new LaunchConfig(grid, block, dynamicSharedBytes), arguments);
        }
        catch (Exception e) when (e is not GpuLaunchException)
        {
            throw new GpuLaunchException($"kernel '{entry}' (grid {grid}, block {block}, {dynamicSharedBytes} B dynamic shared) failed on {device.Name}: {e.Message}", e);
        }
    }

    private IDeviceFunction Function(string entry)
    {
        if (_functions.TryGetValue(entry, out var f)) return f;
        var e = KernelCatalog.Get(entry);
        if (!_modules.TryGetValue(e.Module, out var module))
        {
            var ptx = EmbeddedPtx.Load(e.Module);
            module = device.LoadModule(e.Module, stripLineInfo ? StripLineInfo(ptx) : ptx);
            _modules[e.Module] = module;
        }
        f = module.GetFunction(entry);
        _functions[entry] = f;
        return f;
    }

    /// <summary>Drops <c>.loc</c>, <c>.file</c> and the <c>.section .debug_*</c> blocks that -lineinfo adds.</summary>
    private static string StripLineInfo(string ptx)
    {
        var kept = new List<string>();
        var inSection = false;
        foreach (var line in ptx.Split('\n'))
        {
            var t = line.Trim();
            if (inSection)
            {
                if (t == "}") inSection = false;
                continue;
            }
            if (t.StartsWith(".section", StringComparison.Ordinal))
            {
                inSection = !t.EndsWith('}');
                continue;
            }
            if (t.StartsWith(".loc", StringComparison.Ordinal) || t.StartsWith(".file", StringComparison.Ordinal)) continue;
            kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    public void Dispose()
    {
        foreach (var m in _modules.Values) m.Dispose();
        _modules.Clear();
        _functions.Clear();
    }
}
