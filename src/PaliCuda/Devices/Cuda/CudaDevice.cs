using PaliCuda.Kernels;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;
using NativeDim3 = PaliCuda.Native.Driver.Dim3;
using NativeBuffer = PaliCuda.Native.Driver.DeviceBuffer;
using NativeArguments = PaliCuda.Native.Driver.KernelArguments;

namespace PaliCuda.Devices.Cuda;

/// <summary>
/// <see cref="IComputeDevice"/> and <see cref="IDeviceBlas"/> on a CUDA GPU through the project's driver binding:
/// the device's primary context, a non-blocking default stream, PTX modules JIT-compiled by the driver (the JIT log
/// is part of any load error) and cuBLAS for matrix products. Host copies wait for their stream, so the host span
/// may be reused when a copy returns.
/// </summary>
public sealed class CudaDevice : IComputeDevice, IDeviceBlas
{
    private readonly CudaContext _context;
    private readonly CudaComputeStream _defaultStream;
    private readonly Dictionary<ulong, NativeBuffer> _allocations = [];
    private readonly Lazy<CublasHandle> _blas;

    private CudaDevice(CudaContext context)
    {
        _context = context;
        _context.MakeCurrent();
        _defaultStream = new CudaComputeStream(CudaStream.Create(context));
        _blas = new Lazy<CublasHandle>(() => CublasHandle.Create(_context));
        Name = $"cuda {context.DeviceInfo}";
    }

    /// <summary>Opens device <paramref name="ordinal"/>; throws <see cref="CudaDeviceException"/> "no CUDA device: reason" when there is none.</summary>
    public static CudaDevice Open(int ordinal = 0)
    {
        var availability = CudaDriver.Probe();
        if (!availability.Available) throw new CudaDeviceException($"no CUDA device: {availability.Reason}");
        return new CudaDevice(CudaContext.RetainPrimary(ordinal));
    }

    public string Name { get; }
    public IComputeStream DefaultStream => _defaultStream;

    public DeviceBuffer Allocate(long byteLength)
    {
        _context.MakeCurrent();
        try
        {
            var buffer = NativeBuffer.Allocate(_context, byteLength);
            _allocations[buffer.Pointer.Address] = buffer;
            return new DeviceBuffer(buffer.Pointer.Address, byteLength);
        }
        catch (CudaException e) when (e.Result == CuResult.ErrorOutOfMemory)
        {
            var info = _context.GetMemoryInfo();
            throw new OutOfMemoryException(
                $"CUDA out of memory allocating {byteLength} bytes ({byteLength / 1048576.0:F1} MiB) on {Name}: {info.FreeBytes / 1048576.0:F1} MiB free of {info.TotalBytes / 1048576.0:F1} MiB", e);
        }
    }

    public void Free(DeviceBuffer buffer)
    {
        if (!_allocations.Remove(buffer.Address, out var native))
            throw new ArgumentException($"{buffer} was not allocated by this device (or was freed already)", nameof(buffer));
        native.Dispose();
    }

    public IComputeStream CreateStream() => new CudaComputeStream(CudaStream.Create(_context));

    public unsafe void CopyHostToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, IComputeStream? stream = null)
    {
        var s = StreamOf(stream, "host-to-device copy", refuseCapture: true);
        CheckLength(source.Length, destination, "host-to-device copy");
        fixed (byte* p = source) CudaMemory.CopyHostToDeviceAsync(new DevicePointer(destination.Address), (nint)p, source.Length, s.Native);
        s.Native.Synchronize();
    }

    public unsafe void CopyDeviceToHost(DeviceBuffer source, Span<byte> destination, IComputeStream? stream = null)
    {
        var s = StreamOf(stream, "device-to-host copy", refuseCapture: true);
        CheckLength(destination.Length, source, "device-to-host copy");
        fixed (byte* p = destination) CudaMemory.CopyDeviceToHostAsync((nint)p, new DevicePointer(source.Address), destination.Length, s.Native);
        s.Native.Synchronize();
    }

    public void CopyDeviceToDevice(DeviceBuffer source, DeviceBuffer destination, IComputeStream? stream = null)
    {
        if (source.ByteLength != destination.ByteLength)
            throw new ArgumentException($"device copy from {source} to {destination}: lengths differ");
        var s = StreamOf(stream, "device-to-device copy", refuseCapture: false);
        CudaMemory.CopyDeviceToDeviceAsync(new DevicePointer(destination.Address), new DevicePointer(source.Address), source.ByteLength, s.Native);
    }

    public void Memset(DeviceBuffer destination, byte value, IComputeStream? stream = null)
    {
        var s = StreamOf(stream, "memset", refuseCapture: false);
        CudaMemory.Fill8Async(new DevicePointer(destination.Address), value, destination.ByteLength, s.Native);
    }

    public IDeviceModule LoadModule(string name, string ptx)
    {
        _context.MakeCurrent();
        try
        {
            return new CudaDeviceModule(name, CudaModule.LoadPtx(_context, ptx), PtxEntryParser.Parse(ptx, name));
        }
        catch (CudaJitException e)
        {
            throw new CudaDeviceException($"loading PTX module '{name}' on {Name} failed: {e.ErrorName}. JIT error log:\n{e.ErrorLog}\nJIT info log:\n{e.InfoLog}", e);
        }
    }

    public void Launch(IDeviceFunction function, LaunchConfig config, KernelArguments arguments, IComputeStream? stream = null)
    {
        if (function is not CudaDeviceFunction f) throw new ArgumentException($"kernel '{function.Name}' was not loaded on a CUDA device", nameof(function));
        var s = StreamOf(stream, "launch", refuseCapture: false);
        var block = arguments.Pack(f.Name, f.Parameters);
        using var native = new NativeArguments(f.Parameters.Count);
        for (var i = 0; i < f.Parameters.Count; i++)
        {
            var p = f.Parameters[i];
            switch (p.Size)
            {
                case 8: native.SetLong(i, BitConverter.ToInt64(block, p.Offset)); break;
                case 4: native.SetInt(i, BitConverter.ToInt32(block, p.Offset)); break;
                default: throw new ArgumentException($"kernel '{f.Name}' parameter {i} is {p.Size} bytes; the CUDA device passes 4- and 8-byte parameters only");
            }
        }
        try
        {
            f.Native.Launch(new NativeDim3(config.Grid.X, config.Grid.Y, config.Grid.Z), new NativeDim3(config.Block.X, config.Block.Y, config.Block.Z),
                config.DynamicSharedBytes, s.Native, native);
        }
        catch (CudaException e)
        {
            throw new CudaDeviceException($"launching kernel '{f.Name}' with grid {config.Grid}, block {config.Block}, {config.DynamicSharedBytes} B dynamic shared memory failed: {e.ErrorName} ({e.ErrorDescription})", e);
        }
    }

    public IDeviceEvent CreateEvent() => new CudaDeviceEvent(CudaEvent.Create(_context));

    public void RecordEvent(IDeviceEvent deviceEvent, IComputeStream? stream = null)
    {
        if (deviceEvent is not CudaDeviceEvent e) throw new ArgumentException("event does not belong to a CUDA device", nameof(deviceEvent));
        e.Native.Record(StreamOf(stream, "event record", refuseCapture: false).Native);
    }

    public void BeginCapture(IComputeStream stream)
    {
        var s = StreamOf(stream, "begin capture", refuseCapture: true);
        s.Native.BeginCapture();
        s.IsCapturing = true;
    }

    public IDeviceGraph EndCapture(IComputeStream stream)
    {
        var s = StreamOf(stream, "end capture", refuseCapture: false);
        if (!s.IsCapturing) throw new InvalidOperationException("the stream is not capturing");
        s.IsCapturing = false;
        var graph = s.Native.EndCapture();
        return new CudaDeviceGraph(graph, graph.Instantiate(), nodeCount: -1);
    }

    public void LaunchGraph(IDeviceGraph graph, IComputeStream? stream = null)
    {
        if (graph is not CudaDeviceGraph g) throw new ArgumentException("graph was not captured on a CUDA device", nameof(graph));
        g.Exec.Launch(StreamOf(stream, "graph launch", refuseCapture: true).Native);
    }

    public void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null)
    {
        GemmValidation.Validate(transA, transB, m, n, k, a, b, c, batchCount);
        var handle = _blas.Value;
        handle.SetStream(StreamOf(stream, "GEMM", refuseCapture: false).Native);
        static CublasOperation Op(BlasTranspose t) => t == BlasTranspose.None ? CublasOperation.None : CublasOperation.Transpose;
        static CudaDataType Type(BlasElementType t) => t == BlasElementType.BFloat16 ? CudaDataType.BFloat16 : CudaDataType.Float32;
        static DevicePointer Ptr(GemmOperand o) => new(o.Buffer.Address);
        if (batchCount == 1)
            handle.GemmEx(Op(transA), Op(transB), m, n, k, alpha, Ptr(a), Type(a.Type), a.LeadingDimension, Ptr(b), Type(b.Type), b.LeadingDimension,
                beta, Ptr(c), Type(c.Type), c.LeadingDimension);
        else
            handle.GemmStridedBatchedEx(Op(transA), Op(transB), m, n, k, alpha, Ptr(a), Type(a.Type), a.LeadingDimension, a.BatchStride,
                Ptr(b), Type(b.Type), b.LeadingDimension, b.BatchStride, beta, Ptr(c), Type(c.Type), c.LeadingDimension, c.BatchStride, batchCount);
    }

    public void Dispose()
    {
        if (_blas.IsValueCreated) _blas.Value.Dispose();
        foreach (var b in _allocations.Values) b.Dispose();
        _allocations.Clear();
        _defaultStream.Dispose();
        _context.Dispose();
    }

    private CudaComputeStream StreamOf(IComputeStream? stream, string what, bool refuseCapture)
    {
        _context.MakeCurrent();
        var s = stream switch
        {
            null => _defaultStream,
            CudaComputeStream c => c,
            _ => throw new ArgumentException($"{what}: the stream does not belong to a CUDA device", nameof(stream)),
        };
        if (refuseCapture && s.IsCapturing) throw new InvalidOperationException($"{what} is not allowed while the stream is capturing");
        return s;
    }

    private static void CheckLength(int hostBytes, DeviceBuffer device, string what)
    {
        if (hostBytes != device.ByteLength)
            throw new ArgumentException($"{what}: host span of {hostBytes} bytes does not match {device}");
    }
}
