namespace PaliCuda.Devices;

/// <summary>A marker recorded into a stream, used for timing.</summary>
public interface IDeviceEvent : IDisposable
{
    /// <summary>Waits until the work before this event's record point has finished.</summary>
    void Synchronize();

    /// <summary>Milliseconds between <paramref name="start"/>'s record point and this event's.</summary>
    double ElapsedMillisecondsSince(IDeviceEvent start);
}
