namespace PaliCuda.Devices;

/// <summary>
/// The one interface the executor talks to: device memory, streams, PTX modules, launches, timing events
/// and graph capture. Implemented by the CPU emulator (<c>EmulatedDevice</c>) and by the CUDA backend.
/// Host copies are ordered with the stream's earlier work and have completed when the call returns
/// (the host span may be reused at once).
/// </summary>
public interface IComputeDevice : IDisposable
{
    /// <summary>A human-readable name of the device.</summary>
    string Name { get; }

    /// <summary>Allocates <paramref name="byteLength"/> bytes of device memory (contents undefined).</summary>
    DeviceBuffer Allocate(long byteLength);

    /// <summary>Frees a buffer returned by <see cref="Allocate"/> (not a slice of one).</summary>
    void Free(DeviceBuffer buffer);

    /// <summary>The stream used when none is given.</summary>
    IComputeStream DefaultStream { get; }

    IComputeStream CreateStream();

    void CopyHostToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, IComputeStream? stream = null);

    void CopyDeviceToHost(DeviceBuffer source, Span<byte> destination, IComputeStream? stream = null);

    void CopyDeviceToDevice(DeviceBuffer source, DeviceBuffer destination, IComputeStream? stream = null);

    void Memset(DeviceBuffer destination, byte value, IComputeStream? stream = null);

    /// <summary>Loads a module from PTX text; <paramref name="name"/> is used in error messages.</summary>
    IDeviceModule LoadModule(string name, string ptx);

    void Launch(IDeviceFunction function, LaunchConfig config, KernelArguments arguments, IComputeStream? stream = null);

    IDeviceEvent CreateEvent();

    void RecordEvent(IDeviceEvent deviceEvent, IComputeStream? stream = null);

    /// <summary>
    /// Starts recording the stream's work into a graph instead of running it. Host copies are refused
    /// while capturing.
    /// </summary>
    void BeginCapture(IComputeStream stream);

    IDeviceGraph EndCapture(IComputeStream stream);

    /// <summary>Replays a captured graph on a stream.</summary>
    void LaunchGraph(IDeviceGraph graph, IComputeStream? stream = null);
}
