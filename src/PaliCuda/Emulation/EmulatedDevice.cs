using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>
/// A CPU device that runs kernels by interpreting their PTX, checking every memory access, barrier and
/// warp collective. Work runs synchronously on the calling thread; streams only order it and graphs
/// record it.
/// </summary>
/// <example>
/// <code>
/// using var device = new EmulatedDevice();
/// var module = device.LoadModule("rmsnorm", ptxText);
/// var kernel = module.GetFunction("rmsnorm_bf16");
/// var x = device.Upload&lt;ushort&gt;(input);
/// device.Launch(kernel, new LaunchConfig(rows, 256, 32 * sizeof(float)), new KernelArguments().Add(x)...);
/// </code>
/// </example>
public sealed class EmulatedDevice : IComputeDevice
{
    private readonly EmulatedHeap _heap;
    private readonly EmulatorOptions _options;
    private readonly EmulatedStream _defaultStream;

    public EmulatedDevice(EmulatorOptions? options = null)
    {
        _options = options ?? EmulatorOptions.Current ?? new EmulatorOptions();
        _heap = new EmulatedHeap(_options.DetectUninitializedReads);
        _defaultStream = new EmulatedStream(this);
    }

    public string Name => "PTX emulator (CPU)";

    public IComputeStream DefaultStream => _defaultStream;

    /// <summary>Warp-instructions issued by the most recent launch.</summary>
    public long LastLaunchWarpInstructions { get; private set; }

    /// <summary>Warp-instructions issued by all launches so far.</summary>
    public long TotalWarpInstructions { get; private set; }

    /// <summary>Bytes currently allocated (module globals included).</summary>
    public long AllocatedBytes => _heap.LiveBytes;

    public DeviceBuffer Allocate(long byteLength)
    {
        var region = _heap.Allocate(byteLength, $"allocation of {byteLength} bytes");
        return new DeviceBuffer(region.Base, byteLength);
    }

    public void Free(DeviceBuffer buffer) => _heap.Free(buffer.Address);

    public IComputeStream CreateStream() => new EmulatedStream(this);

    public void CopyHostToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, IComputeStream? stream = null)
    {
        RefuseWhileCapturing(stream, "host-to-device copy");
        CheckLength(source.Length, destination, "host-to-device copy");
        var (region, offset) = Locate(destination, "host-to-device copy");
        source.CopyTo(region.Data.AsSpan(offset));
        region.MarkInitialized(offset, source.Length);
    }

    public void CopyDeviceToHost(DeviceBuffer source, Span<byte> destination, IComputeStream? stream = null)
    {
        RefuseWhileCapturing(stream, "device-to-host copy");
        CheckLength(destination.Length, source, "device-to-host copy");
        var (region, offset) = Locate(source, "device-to-host copy");
        region.Data.AsSpan(offset, destination.Length).CopyTo(destination);
    }

    public void CopyDeviceToDevice(DeviceBuffer source, DeviceBuffer destination, IComputeStream? stream = null)
    {
        if (source.ByteLength != destination.ByteLength)
            throw new ArgumentException($"Device copy from {source} to {destination}: lengths differ.");
        Issue(stream, () =>
        {
            var (from, fromOffset) = Locate(source, "device-to-device copy");
            var (to, toOffset) = Locate(destination, "device-to-device copy");
            from.Data.AsSpan(fromOffset, (int)source.ByteLength).CopyTo(to.Data.AsSpan(toOffset));
            // Initialisation state travels with the bytes.
            for (long i = 0; i < source.ByteLength; i++)
                if (from.IsInitialized(fromOffset + i, 1)) to.MarkInitialized(toOffset + i, 1);
        });
    }

    public void Memset(DeviceBuffer destination, byte value, IComputeStream? stream = null)
    {
        Issue(stream, () =>
        {
            var (region, offset) = Locate(destination, "memset");
            region.Data.AsSpan(offset, (int)destination.ByteLength).Fill(value);
            region.MarkInitialized(offset, destination.ByteLength);
        });
    }

    public IDeviceModule LoadModule(string name, string ptx) => EmulatedModule.Load(name, ptx, _heap);

    public void Launch(IDeviceFunction function, LaunchConfig config, KernelArguments arguments, IComputeStream? stream = null)
    {
        if (function is not EmulatedFunction f)
            throw new ArgumentException($"Function '{function.Name}' was not loaded by an emulated device.", nameof(function));
        ValidateLaunch(f, config);
        byte[] parameters = arguments.Pack(f.Name, f.Parameters);
        Issue(stream, () =>
        {
            long issued = KernelLaunch.Run(f.Kernel, _heap, parameters, config, _options);
            LastLaunchWarpInstructions = issued;
            TotalWarpInstructions += issued;
        });
    }

    private static void ValidateLaunch(EmulatedFunction f, LaunchConfig c)
    {
        string where = $"Launch of '{f.Name}' with grid {c.Grid} block {c.Block}";
        if (c.Grid.X == 0 || c.Grid.Y == 0 || c.Grid.Z == 0 || c.Block.X == 0 || c.Block.Y == 0 || c.Block.Z == 0)
            throw new EmulatorException($"{where}: every dimension must be at least 1.");
        if (c.Block.X > 1024 || c.Block.Y > 1024 || c.Block.Z > 64)
            throw new EmulatorException($"{where}: block dimensions are limited to (1024, 1024, 64).");
        if (c.Grid.Y > 65535 || c.Grid.Z > 65535 || c.Grid.X > int.MaxValue)
            throw new EmulatorException($"{where}: grid dimensions are limited to (2^31-1, 65535, 65535).");
        // .maxntid bounds only the thread count (checked below through MaxThreadsPerBlock); .reqntid fixes the shape.
        if (f.Kernel.BlockShape is { Required: true } shape
            && (c.Block.X != shape.X || c.Block.Y != shape.Y || c.Block.Z != shape.Z))
            throw new EmulatorException(
                $"{where}: the kernel declares .reqntid {shape.X}, {shape.Y}, {shape.Z} and must be launched with exactly that block.");
        if (c.Block.Volume > f.MaxThreadsPerBlock)
            throw new EmulatorException($"{where}: {c.Block.Volume} threads exceed the kernel's limit of {f.MaxThreadsPerBlock}.");
        if (c.DynamicSharedBytes < 0)
            throw new EmulatorException($"{where}: negative dynamic shared memory.");
        if (c.DynamicSharedBytes > f.MaxDynamicSharedBytes)
            throw new EmulatorException(
                $"{where}: {c.DynamicSharedBytes} bytes of dynamic shared memory exceed the kernel's limit of {f.MaxDynamicSharedBytes}" +
                (c.DynamicSharedBytes > EmulatedFunction.DefaultDynamicSharedLimit ? " (above 48 KB needs SetMaxDynamicSharedBytes)." : "."));
    }

    public IDeviceEvent CreateEvent() => new EmulatedEvent();

    public void RecordEvent(IDeviceEvent deviceEvent, IComputeStream? stream = null)
    {
        if (deviceEvent is not EmulatedEvent e) throw new ArgumentException("The event belongs to another kind of device.", nameof(deviceEvent));
        Issue(stream, () => e.Timestamp = System.Diagnostics.Stopwatch.GetTimestamp());
    }

    public void BeginCapture(IComputeStream stream)
    {
        var s = Own(stream);
        if (s.IsCapturing) throw new InvalidOperationException("The stream is already capturing.");
        s.Capture = new List<Action>();
    }

    public IDeviceGraph EndCapture(IComputeStream stream)
    {
        var s = Own(stream);
        var nodes = s.Capture ?? throw new InvalidOperationException("The stream is not capturing.");
        s.Capture = null;
        return new EmulatedGraph(nodes);
    }

    public void LaunchGraph(IDeviceGraph graph, IComputeStream? stream = null)
    {
        if (graph is not EmulatedGraph g) throw new ArgumentException("The graph belongs to another kind of device.", nameof(graph));
        foreach (var node in g.Nodes) Issue(stream, node);
    }

    public void Dispose() { }

    private EmulatedStream Own(IComputeStream? stream)
    {
        if (stream == null) return _defaultStream;
        if (stream is EmulatedStream s && s.Device == this) return s;
        throw new ArgumentException("The stream belongs to another device.", nameof(stream));
    }

    private void Issue(IComputeStream? stream, Action work)
    {
        var s = Own(stream);
        if (s.Capture != null) s.Capture.Add(work);
        else work();
    }

    private void RefuseWhileCapturing(IComputeStream? stream, string what)
    {
        if (Own(stream).IsCapturing)
            throw new InvalidOperationException($"A {what} cannot be captured into a graph; do it before BeginCapture or after EndCapture.");
    }

    private static void CheckLength(long hostLength, DeviceBuffer buffer, string what)
    {
        if (hostLength != buffer.ByteLength)
            throw new ArgumentException($"{what}: host span has {hostLength} bytes but {buffer} has {buffer.ByteLength}.");
    }

    private (MemoryRegion Region, int Offset) Locate(DeviceBuffer buffer, string what)
    {
        var region = _heap.Find(buffer.Address, buffer.ByteLength)
            ?? throw new EmulatorException($"{what}: {buffer} is not inside a live allocation ({_heap.Describe(buffer.Address)}).");
        return (region, (int)(buffer.Address - region.Base));
    }
}
