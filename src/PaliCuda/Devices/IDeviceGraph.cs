namespace PaliCuda.Devices;

/// <summary>A captured sequence of stream work that can be replayed as a whole.</summary>
public interface IDeviceGraph : IDisposable
{
    /// <summary>How many operations (launches, memsets, device copies) the capture recorded.</summary>
    int NodeCount { get; }
}
