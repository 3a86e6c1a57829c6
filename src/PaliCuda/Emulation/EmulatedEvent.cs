using System.Diagnostics;
using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>An emulator event: the wall-clock time at which it was recorded (work is synchronous).</summary>
public sealed class EmulatedEvent : IDeviceEvent
{
    internal long? Timestamp { get; set; }

    public void Synchronize() { }

    public double ElapsedMillisecondsSince(IDeviceEvent start)
    {
        if (start is not EmulatedEvent s) throw new ArgumentException("The start event belongs to another kind of device.", nameof(start));
        if (s.Timestamp is not long t0 || Timestamp is not long t1)
            throw new InvalidOperationException("Both events must be recorded before measuring the time between them.");
        return (t1 - t0) * 1000.0 / Stopwatch.Frequency;
    }

    public void Dispose() { }
}
