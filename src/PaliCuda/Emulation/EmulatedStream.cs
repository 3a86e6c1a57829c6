using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>An emulator stream: work runs synchronously when issued, or is recorded while capturing.</summary>
public sealed class EmulatedStream : IComputeStream
{
    internal EmulatedStream(EmulatedDevice device) => Device = device;

    internal EmulatedDevice Device { get; }

    internal List<Action>? Capture { get; set; }

    public bool IsCapturing => Capture != null;

    public void Synchronize() { }

    public void Dispose() { }
}
