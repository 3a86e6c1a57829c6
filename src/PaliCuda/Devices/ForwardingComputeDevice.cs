namespace PaliCuda.Devices;

/// <summary>
/// A device that forwards every call to another one; a subclass overrides only what it adds (counting allocations,
/// failing on purpose in a test). Disposing it disposes the inner device.
/// </summary>
public abstract class ForwardingComputeDevice(IComputeDevice inner) : IComputeDevice
{
    public IComputeDevice Inner => inner;

    public virtual string Name => inner.Name;
    public virtual IComputeStream DefaultStream => inner.DefaultStream;
    public virtual DeviceBuffer Allocate(long byteLength) => inner.Allocate(byteLength);
    public virtual void Free(DeviceBuffer buffer) => inner.Free(buffer);
    public virtual IComputeStream CreateStream() => inner.CreateStream();
    public virtual void CopyHostToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, IComputeStream? stream = null) => inner.CopyHostToDevice(source, destination, stream);
    public virtual void CopyDeviceToHost(DeviceBuffer source, Span<byte> destination, IComputeStream? stream = null) => inner.CopyDeviceToHost(source, destination, stream);
    public virtual void CopyDeviceToDevice(DeviceBuffer source, DeviceBuffer destination, IComputeStream? stream = null) => inner.CopyDeviceToDevice(source, destination, stream);
    public virtual void Memset(DeviceBuffer destination, byte value, IComputeStream? stream = null) => inner.Memset(destination, value, stream);
    public virtual IDeviceModule LoadModule(string name, string ptx) => inner.LoadModule(name, ptx);
    public virtual void Launch(IDeviceFunction function, LaunchConfig config, KernelArguments arguments, IComputeStream? stream = null) => inner.Launch(function, config, arguments, stream);
    public virtual IDeviceEvent CreateEvent() => inner.CreateEvent();
    public virtual void RecordEvent(IDeviceEvent deviceEvent, IComputeStream? stream = null) => inner.RecordEvent(deviceEvent, stream);
    public virtual void BeginCapture(IComputeStream stream) => inner.BeginCapture(stream);
    public virtual IDeviceGraph EndCapture(IComputeStream stream) => inner.EndCapture(stream);
    public virtual void LaunchGraph(IDeviceGraph graph, IComputeStream? stream = null) => inner.LaunchGraph(graph, stream);

    public void Dispose()
    {
        inner.Dispose();
        GC.SuppressFinalize(this);
    }
}
