using System.CommandLine;
using PaliCuda.Config;
using PaliCuda.Generation;

namespace PaliCuda.Cli.Commands;

/// <summary>Options shared by several commands, and how their values become engine settings.</summary>
public static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces with errors",
        Recursive = true,
    };

    public static Option<string> Device(string defaultValue) => new("--device")
    {
        Description = "Where to run: auto (CUDA if a GPU is usable, else cpu), " + string.Join(", ", DeviceNames),
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Model(string description) => new("--model", "-m")
    {
        Description = description,
        Required = true,
    };

    public static Option<SlidingWindowSemantics> WindowSemantics() => new("--window-semantics")
    {
        Description = "Sliding-window rule over the prompt prefix: WindowAlways (HF 4.47, default), WindowOrPrefix (newer HF), None",
        DefaultValueFactory = _ => SlidingWindowSemantics.WindowAlways,
    };

    private static IEnumerable<string> DeviceNames => Enum.GetNames<DeviceKind>().Select(n => n.ToLowerInvariant());

    /// <summary>"auto" picks the best device this machine has; any other name must be a <see cref="DeviceKind"/>.</summary>
    public static DeviceKind ResolveDevice(string name)
    {
        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase)) return DeviceSelection.Best();
        if (!Enum.TryParse<DeviceKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            throw new ArgumentException($"unknown device '{name}'; expected auto, {string.Join(", ", DeviceNames)} (--device)", "device");
        DeviceSelection.EnsureUsable(kind);
        return kind;
    }
}
