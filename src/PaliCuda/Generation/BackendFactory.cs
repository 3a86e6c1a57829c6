using PaliCuda.Backends;
using PaliCuda.Backends.Cpu;

namespace PaliCuda.Generation;

/// <summary>Creates the backend for a <see cref="DeviceKind"/>; parses device names given on a command line.</summary>
public static class BackendFactory
{
    public static IBackend Create(DeviceKind device) => device switch
    {
        DeviceKind.Cpu => new CpuBackend(),
        _ => throw new NotSupportedException($"device '{device}' has no backend in this build"),
    };

    /// <summary>"cpu" (case-insensitive) → <see cref="DeviceKind.Cpu"/>; anything else throws naming the accepted names.</summary>
    public static DeviceKind Parse(string name) =>
        Enum.TryParse<DeviceKind>(name, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new ArgumentException($"unknown device '{name}'; expected one of: {string.Join(", ", Enum.GetNames<DeviceKind>().Select(n => n.ToLowerInvariant()))}", nameof(name));
}
