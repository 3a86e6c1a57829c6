using PaliCuda.Devices;

namespace PaliCuda.Backends.Gpu;

/// <summary>A device graph captured on a GPU backend's stream.</summary>
internal sealed class CapturedGraph(IComputeDevice device, IDeviceGraph graph) : IReplayableWork
{
    public int NodeCount => graph.NodeCount;
    public void Replay() => device.LaunchGraph(graph, device.DefaultStream);
    public void Dispose() => graph.Dispose();
}
