using PaliCuda.Devices;

namespace PaliCuda.Backends.Gpu;

/// <summary>
/// A range of device memory. Owned allocations are freed on dispose; views into an arena (the weight arena) are
/// not, the arena is freed with the backend.
/// </summary>
public sealed class GpuMemory : DeviceMemory
{
    private readonly IComputeDevice? _owner;
    private bool _freed;

    internal GpuMemory(DeviceBuffer buffer, string label, IComputeDevice? owner) : base(label)
    {
        Buffer = buffer;
        _owner = owner;
    }

    public DeviceBuffer Buffer { get; }
    public override long ByteLength => Buffer.ByteLength;

    public override void Dispose()
    {
        if (_owner is not null && !_freed)
        {
            _freed = true;
            _owner.Free(Buffer);
        }
        base.Dispose();
    }
}
