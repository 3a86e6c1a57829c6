using PaliCuda.Kernels;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;
using NativeDim3 = PaliCuda.Native.Driver.Dim3;
using NativeBuffer = PaliCuda.Native.Driver.DeviceBuffer;

namespace PaliCuda.Devices.Cuda;

/// <summary>
/// <see cref="IComputeDevice"/> and <see cref="IDeviceBlas"/> on a CUDA GPU through the project's driver binding:
/// the device's primary context, a non-blocking default stream, PTX modules JIT-compiled by the driver (the JIT log
/// is part of any load error; each distinct module is compiled once per device) and cuBLAS for matrix products.
/// Host copies wait for their stream, so the host span may be reused when a copy returns.
/// </summary>
/// <remarks>
/// Every entry point binds the context to the calling thread first (driver calls act on the thread's current
/// context, and callers such as the streaming generator run steps on thread-pool threads). Not thread-safe: one
/// thread at a time. A kernel fault reported by a later call is rethrown as <see cref="CudaDeviceException"/> naming
/// the work queued last (<see cref="CudaAsyncFault"/>).
/// </remarks>
public sealed class CudaDevice : IComputeDevice, IDeviceBlas
{
    /// <summary>
    /// The cuBLAS workspace this device gives its handle: the 32 MiB cuBLAS documents for Hopper (4 MiB elsewhere).
    /// With it cuBLAS never allocates on its own, which a GEMM captured into a graph must not do.
    /// </summary>
    public const long BlasWorkspaceBytes = 32L << 20;

    private readonly CudaContext _context;
    private readonly CudaComputeStream _defaultStream;
    private readonly Dictionary<ulong, NativeBuffer> _allocations = [];
    private readonly Dictionary<(string Name, string Ptx), CudaDeviceModule> _modules = [];
    private readonly Dictionary<string, string> _moduleCode = new(StringComparer.Ordinal);
    private readonly bool _jitPtx;
    private CublasHandle? _blas;
    private NativeBuffer? _blasWorkspace;
    private CudaStream? _blasStream;

    // The last work queued, kept as references and values so recording it costs no allocation per launch.
    private CudaDeviceFunction? _lastKernel;
    private LaunchConfig _lastLaunch;
    private (int M, int N, int K, int Batch)? _lastGemm;
    private bool _lastWasGraph;

    private CudaDevice(CudaContext context, bool jitPtx)
    {
        _context = context;
        _jitPtx = jitPtx;
        _context.MakeCurrent();
        _defaultStream = new CudaComputeStream(this, CudaStream.Create(context));
        Name = $"cuda {context.DeviceInfo}";
    }

    /// <summary>
    /// Opens device <paramref name="ordinal"/>; throws <see cref="CudaDeviceException"/> "no CUDA device: reason" when there
    /// is none. With <paramref name="jitPtx"/> every module is JIT-compiled by the driver even where the build embedded
    /// machine code for this architecture (to compare the driver's compiler with the build's ptxas).
    /// </summary>
    public static CudaDevice Open(int ordinal = 0, bool jitPtx = false)
    {
        var availability = CudaDriver.Probe();
        if (!availability.Available) throw new CudaDeviceException($"no CUDA device: {availability.Reason}");
        return new CudaDevice(CudaContext.RetainPrimary(ordinal), jitPtx);
    }

    public string Name { get; }
    public IComputeStream DefaultStream => _defaultStream;
    public ComputeCapability ComputeCapability => _context.DeviceInfo.ComputeCapability;

    /// <summary>Distinct modules loaded on this device so far.</summary>
    public int LoadedModuleCount => _modules.Count;

    public DeviceBuffer Allocate(long byteLength)
    {
        _context.EnsureCurrent();
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
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, $"allocation of {byteLength} bytes");
        }
    }

    public void Free(DeviceBuffer buffer)
    {
        if (!_allocations.Remove(buffer.Address, out var native))
            throw new ArgumentException($"{buffer} was not allocated by this device (or was freed already)", nameof(buffer));
        native.Dispose();
    }

    public IComputeStream CreateStream() => new CudaComputeStream(this, CudaStream.Create(_context));

    public unsafe void CopyHostToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, IComputeStream? stream = null)
    {
        var s = StreamOf(stream, "host-to-device copy", refuseCapture: true);
        CheckLength(source.Length, destination, "host-to-device copy");
        // Queued on the stream, so ordered after its earlier work, from pageable memory: the wait below is what makes
        // the host span reusable on return.
        try
        {
            fixed (byte* p = source) CudaMemory.CopyHostToDeviceAsync(new DevicePointer(destination.Address), (nint)p, source.Length, s.Native);
            s.Native.Synchronize();
        }
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, "host-to-device copy");
        }
    }

    public unsafe void CopyDeviceToHost(DeviceBuffer source, Span<byte> destination, IComputeStream? stream = null)
    {
        var s = StreamOf(stream, "device-to-host copy", refuseCapture: true);
        CheckLength(destination.Length, source, "device-to-host copy");
        try
        {
            fixed (byte* p = destination)
            {
                CudaMemory.CopyDeviceToHostAsync((nint)p, new DevicePointer(source.Address), destination.Length, s.Native);
                s.Native.Synchronize();
            }
        }
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, "device-to-host copy");
        }
    }

    public void CopyDeviceToDevice(DeviceBuffer source, DeviceBuffer destination, IComputeStream? stream = null)
    {
        if (source.ByteLength != destination.ByteLength)
            throw new ArgumentException($"device copy from {source} to {destination}: lengths differ");
        var s = StreamOf(stream, "device-to-device copy", refuseCapture: false);
        try
        {
            CudaMemory.CopyDeviceToDeviceAsync(new DevicePointer(destination.Address), new DevicePointer(source.Address), source.ByteLength, s.Native);
        }
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, "device-to-device copy");
        }
    }

    public void Memset(DeviceBuffer destination, byte value, IComputeStream? stream = null)
    {
        var s = StreamOf(stream, "memset", refuseCapture: false);
        try
        {
            CudaMemory.Fill8Async(new DevicePointer(destination.Address), value, destination.ByteLength, s.Native);
        }
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, "memset");
        }
    }

    /// <summary>
    /// Loads a module once per device; a second load of the same module returns the first. The engine's own modules run
    /// from the machine code embedded for this device's architecture when there is one (no JIT); any other PTX, and
    /// every module on other architectures, is JIT-compiled by the driver. <see cref="ModuleCode"/> says which.
    /// </summary>
    public IDeviceModule LoadModule(string name, string ptx)
    {
        if (_modules.TryGetValue((name, ptx), out var cached)) return cached;
        _context.EnsureCurrent();
        try
        {
            var module = new CudaDeviceModule(name, LoadCode(name, ptx), PtxEntryParser.Parse(ptx, name),
                _context.DeviceInfo.MaxSharedMemoryPerBlockOptin);
            _modules[(name, ptx)] = module;
            return module;
        }
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            // An earlier kernel's fault surfacing here: name the work that caused it, not the module.
            throw Fault(e, $"loading module '{name}'");
        }
        catch (CudaJitException e)
        {
            var how = _moduleCode.TryGetValue(name, out var code) ? code : "PTX JIT";
            throw new CudaDeviceException($"loading module '{name}' on {Name} ({how}) failed: {e.ErrorName}. JIT error log:\n{e.ErrorLog}\nJIT info log:\n{e.InfoLog}", e);
        }
    }

    /// <summary>How each loaded module's code was obtained: "sm_90 machine code", "PTX JIT", or why the machine code was refused.</summary>
    public IReadOnlyDictionary<string, string> ModuleCode => _moduleCode;

    /// <summary>
    /// The embedded machine code for this architecture when <paramref name="ptx"/> is the embedded module's own PTX (a
    /// caller's edited or foreign PTX must run as given); else, or when the driver refuses that code, the PTX JIT.
    /// </summary>
    private CudaModule LoadCode(string name, string ptx)
    {
        if (_jitPtx)
        {
            _moduleCode[name] = "PTX JIT (requested)";
            return CudaModule.LoadPtx(_context, ptx);
        }
        var cc = _context.DeviceInfo.ComputeCapability;
        var arch = EmbeddedPtx.Modules.Contains(name) ? KernelBinaryArchitecture.For(cc.Major, cc.Minor, EmbeddedPtx.BinaryArchitectures(name)) : null;
        if (arch is not null && EmbeddedPtx.Load(name) == ptx && EmbeddedPtx.TryLoadBinary(name, arch) is { } code)
        {
            try
            {
                var module = CudaModule.LoadImage(_context, code);
                _moduleCode[name] = $"{arch} machine code";
                return module;
            }
            catch (CudaException e) when (!CudaAsyncFault.IsKernelFault(e.Result))
            {
                // A driver that cannot take this code (too old for the toolkit that made it) still JITs the PTX.
                _moduleCode[name] = $"PTX JIT ({arch} machine code refused: {e.Result})";
                return CudaModule.LoadPtx(_context, ptx);
            }
        }
        _moduleCode[name] = "PTX JIT";
        return CudaModule.LoadPtx(_context, ptx);
    }

    public void Launch(IDeviceFunction function, LaunchConfig config, KernelArguments arguments, IComputeStream? stream = null)
    {
        if (function is not CudaDeviceFunction f) throw new ArgumentException($"kernel '{function.Name}' was not loaded on a CUDA device", nameof(function));
        var s = StreamOf(stream, "launch", refuseCapture: false);
        var block = arguments.Pack(f.Name, f.Parameters);
        var native = f.Arguments;
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
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, $"the launch of kernel '{f.Name}'");
        }
        catch (CudaException e)
        {
            throw new CudaDeviceException($"launching kernel '{f.Name}' with grid {config.Grid}, block {config.Block}, {config.DynamicSharedBytes} B dynamic shared memory failed: {e.ErrorName} ({e.ErrorDescription})", e);
        }
        (_lastKernel, _lastLaunch, _lastGemm, _lastWasGraph) = (f, config, null, false);
    }

    public IDeviceEvent CreateEvent() => new CudaDeviceEvent(this, CudaEvent.Create(_context));

    public void RecordEvent(IDeviceEvent deviceEvent, IComputeStream? stream = null)
    {
        if (deviceEvent is not CudaDeviceEvent e) throw new ArgumentException("event does not belong to a CUDA device", nameof(deviceEvent));
        var s = StreamOf(stream, "event record", refuseCapture: false);
        Wait(() => e.Native.Record(s.Native), "event record");
    }

    public void BeginCapture(IComputeStream stream)
    {
        var s = StreamOf(stream, "begin capture", refuseCapture: true);
        // Creating the cuBLAS handle allocates, which a capture forbids: make it now in case the captured work has a
        // GEMM. Without cuBLAS the capture may still hold kernels only; a GEMM in it then reports the missing library.
        if (_blas is null && CublasLibrary.Probe().Available) Blas(s);
        // Thread-local mode: only this thread's unsafe calls (allocation, synchronous copies, waits) break the
        // capture, so a finalizer freeing memory on another thread meanwhile does not.
        s.Native.BeginCapture(StreamCaptureMode.ThreadLocal);
        s.IsCapturing = true;
    }

    public IDeviceGraph EndCapture(IComputeStream stream)
    {
        var s = StreamOf(stream, "end capture", refuseCapture: false);
        if (!s.IsCapturing) throw new InvalidOperationException("the stream is not capturing");
        s.IsCapturing = false;
        var graph = s.Native.EndCapture();
        try
        {
            return new CudaDeviceGraph(graph, graph.Instantiate());
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    public void LaunchGraph(IDeviceGraph graph, IComputeStream? stream = null)
    {
        if (graph is not CudaDeviceGraph g) throw new ArgumentException("graph was not captured on a CUDA device", nameof(graph));
        var s = StreamOf(stream, "graph launch", refuseCapture: true);
        Wait(() => g.Exec.Launch(s.Native), "graph launch");
        _lastWasGraph = true;
    }

    public void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null)
    {
        GemmValidation.Validate(transA, transB, m, n, k, a, b, c, batchCount);
        var s = StreamOf(stream, "GEMM", refuseCapture: false);
        var handle = Blas(s);
        static CublasOperation Op(BlasTranspose t) => t == BlasTranspose.None ? CublasOperation.None : CublasOperation.Transpose;
        static CudaDataType Type(BlasElementType t) => t == BlasElementType.BFloat16 ? CudaDataType.BFloat16 : CudaDataType.Float32;
        static DevicePointer Ptr(GemmOperand o) => new(o.Buffer.Address);
        if (batchCount == 1)
            handle.GemmEx(Op(transA), Op(transB), m, n, k, alpha, Ptr(a), Type(a.Type), a.LeadingDimension, Ptr(b), Type(b.Type), b.LeadingDimension,
                beta, Ptr(c), Type(c.Type), c.LeadingDimension);
        else
            handle.GemmStridedBatchedEx(Op(transA), Op(transB), m, n, k, alpha, Ptr(a), Type(a.Type), a.LeadingDimension, a.BatchStride,
                Ptr(b), Type(b.Type), b.LeadingDimension, b.BatchStride, beta, Ptr(c), Type(c.Type), c.LeadingDimension, c.BatchStride, batchCount);
        (_lastKernel, _lastGemm, _lastWasGraph) = (null, (m, n, k, batchCount), false);
    }

    /// <summary>
    /// The cuBLAS handle, bound to <paramref name="stream"/> with this device's workspace. The stream is set only when
    /// it changes, and the workspace after it, because <c>cublasSetStream</c> resets the handle to cuBLAS's own
    /// workspace pool. Created on first use or at the start of a capture (<see cref="BeginCapture"/>), never inside one.
    /// </summary>
    private CublasHandle Blas(CudaComputeStream stream)
    {
        if (_blas is null)
        {
            if (stream.IsCapturing)
                throw new InvalidOperationException("the cuBLAS handle cannot be created while the stream is capturing (it allocates)");
            _blasWorkspace = NativeBuffer.Allocate(_context, BlasWorkspaceBytes);
            _blas = CublasHandle.Create(_context);
        }
        if (!ReferenceEquals(_blasStream, stream.Native))
        {
            _blas.SetStream(stream.Native);
            _blasStream = stream.Native;
            // Without cublasSetWorkspace_v2 (cuBLAS before 11.3) cuBLAS keeps its own pool, allocated at handle creation.
            _blas.TrySetWorkspace(_blasWorkspace!.Pointer, _blasWorkspace.ByteLength);
        }
        return _blas;
    }

    public void Dispose()
    {
        _blas?.Dispose();
        _blasWorkspace?.Dispose();
        foreach (var m in _modules.Values) m.Unload();
        _modules.Clear();
        foreach (var b in _allocations.Values) b.Dispose();
        _allocations.Clear();
        _defaultStream.Dispose();
        _context.Dispose();
    }

    /// <summary>
    /// Runs a driver call that may report an earlier kernel's fault (a stream or event wait, a record, a graph
    /// launch) with the context bound, rethrowing such a fault as one.
    /// </summary>
    internal void Wait(Action call, string what)
    {
        _context.EnsureCurrent();
        try
        {
            call();
        }
        catch (CudaException e) when (CudaAsyncFault.IsKernelFault(e.Result))
        {
            throw Fault(e, what);
        }
    }

    private CudaDeviceException Fault(CudaException e, string reportedAt) =>
        new(CudaAsyncFault.Describe(e.Result, e.ErrorName, $"{reportedAt} on {Name}", LastWork()), e);

    private string? LastWork() =>
        _lastWasGraph ? "a graph replay (its kernels are those captured)"
        : _lastKernel is { } k ? $"kernel '{k.Name}' with grid {_lastLaunch.Grid}, block {_lastLaunch.Block}, {_lastLaunch.DynamicSharedBytes} B dynamic shared memory"
        : _lastGemm is { } g ? $"cuBLAS GEMM m={g.M}, n={g.N}, k={g.K}, batch {g.Batch}"
        : null;

    private CudaComputeStream StreamOf(IComputeStream? stream, string what, bool refuseCapture)
    {
        _context.EnsureCurrent();
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
