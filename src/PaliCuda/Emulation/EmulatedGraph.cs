using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>The operations recorded by a capture, replayed in order on launch.</summary>
public sealed class EmulatedGraph : IDeviceGraph
{
    internal EmulatedGraph(IReadOnlyList<Action> nodes) => Nodes = nodes;

    internal IReadOnlyList<Action> Nodes { get; }

    public int NodeCount => Nodes.Count;

    public void Dispose() { }
}
