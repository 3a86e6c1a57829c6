using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PaliCuda.Backends.Gpu.Fusion;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Devices;
using PaliCuda.Graph;
using PaliCuda.Graph.Ops;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu;

/// <summary>
/// The GPU backend, written only against <see cref="IComputeDevice"/> and <see cref="IDeviceBlas"/>, so the same code
/// runs on the PTX emulator and on a CUDA GPU. Weights live in one arena, bf16 or — under an accepted
/// <see cref="QuantizationPlan"/> — packed (int8/int4/fp8 data in the arena, their scales in a second one), where
/// MatMul runs <see cref="QuantizedLinear"/> and the embedding gather dequantizes rows; float activations are bf16
/// except the logits path (soft cap, argmax), which stays fp32. Every op checks shapes, element types and alignment before it
/// launches and throws <see cref="GpuLaunchException"/> naming the tensors; nothing unsupported is silently skipped.
/// </summary>
public sealed partial class GpuBackend : IBackend
{
    private const int RowBlock = 256;
    private const int AttentionWarpsPerBlock = 4;

    /// <summary>Weight start alignment in the arena: what cuBLAS and 16-byte vector loads want, with room to spare.</summary>
    private const int WeightAlignment = 256;

    /// <summary>
    /// Start alignment of packed data and scales: the 16-byte loads of the GEMV kernels. Kept small so the q, k, v
    /// (gate, up) parts of a layer lie back to back whenever their sizes are multiples of 16 bytes, and the fused
    /// weight is a view (<see cref="WeightSet.TryConcatenateRows"/>).
    /// </summary>
    private const int PackedAlignment = DeviceQuantizedWeight.RequiredAlignment;

    /// <summary>Elements converted and copied per step of a weight upload (2 MiB of bf16).</summary>
    private const int UploadChunkElements = 1 << 20;

    private readonly IComputeDevice _device;
    private readonly IDeviceBlas _blas;
    private readonly GpuKernels _kernels;
    private readonly GpuBackendOptions _options;
    private readonly List<DeviceBuffer> _owned = [];
    private GpuMemory? _weightArena;
    private long _weightCursor;
    private GpuMemory? _scalesArena;
    private long _scalesCursor;
    private QuantizationPlan? _plan;
    private readonly QuantizedLinear _quantized;
    private DeviceBuffer? _decodeWorkspace;

    private readonly HashSet<string> _variantFallbacks = new(StringComparer.Ordinal);

    private readonly bool _ownsDevice;

    /// <param name="ownsDevice">Dispose <paramref name="device"/> with this backend.</param>
    public GpuBackend(IComputeDevice device, IDeviceBlas blas, GpuBackendOptions? options = null, bool ownsDevice = false)
    {
        _device = device;
        _ownsDevice = ownsDevice;
        _blas = blas;
        _options = options ?? new GpuBackendOptions();
        KernelVariants.Validate(_options.Variants);
        _kernels = new GpuKernels(device, _options.StripPtxLineInfo);
        _quantized = new QuantizedLinear(device, blas, _options.QuantizedLinear with { StripPtxLineInfo = _options.StripPtxLineInfo });
    }

    public string Name => $"gpu on {_device.Name}";
    public IComputeDevice Device => _device;
    public BufferDType FloatStorage => BufferDType.BF16;

    public bool KeepsFloat32(GraphOp op) => op is SoftCapOp or ArgMaxOp or SoftCapArgMaxOp or SampleOp or SoftCapSampleOp;

    /// <summary>What the fusion pass did to the graph most recently prepared (null before the first, or with fusion off).</summary>
    public FusionReport? LastFusion { get; private set; }

    /// <summary>Runs <see cref="GpuFusionPass"/> unless <see cref="GpuBackendOptions.Fuse"/> is off.</summary>
    /// <remarks>
    /// Also reserves the workspaces of every packed-weight MatMul the graph will run (split-K partials, dequantize
    /// scratch), so nothing is allocated while a decode step is being captured.
    /// </remarks>
    public ComputeGraph Prepare(ComputeGraph graph, IReadOnlySet<BufferId> keepAlive, WeightSet weights)
    {
        if (_options.Fuse)
        {
            var (fused, report) = GpuFusionPass.Apply(graph, keepAlive, weights);
            LastFusion = report;
            graph = fused;
        }
        foreach (var m in graph.Ops.OfType<MatMulOp>())
        {
            var w = weights.Get(graph[m.W]);
            if (w.Packed is { } packed) _quantized.Reserve(PackedView(w, packed), Rows(graph[m.X]));
        }
        return graph;
    }

    /// <summary>Captures what <paramref name="issue"/> queues on the device stream (kernels, GEMMs, device copies) into a device graph.</summary>
    public IReplayableWork? Capture(Action issue)
    {
        var stream = _device.DefaultStream;
        _device.BeginCapture(stream);
        try
        {
            issue();
        }
        catch (Exception issueFailure)
        {
            // End the capture so the stream works again, but report what went wrong while issuing: on CUDA the end of
            // an aborted capture fails too (CUDA_ERROR_STREAM_CAPTURE_INVALIDATED), which says nothing about the cause.
            try
            {
                _device.EndCapture(stream).Dispose();
            }
            catch (Exception endFailure)
            {
                throw new AggregateException($"capturing the device work failed: {issueFailure.Message}", issueFailure, endFailure);
            }
            throw;
        }
        return new CapturedGraph(_device, _device.EndCapture(stream));
    }

    public DeviceMemory Allocate(long bytes, string label)
    {
        DeviceBuffer buffer;
        try
        {
            buffer = _device.Allocate(Math.Max(bytes, 16));
        }
        catch (OutOfMemoryException e)
        {
            throw new OutOfMemoryException($"allocating '{label}' ({bytes} bytes): {e.Message}", e);
        }
        _device.Memset(buffer, 0);
        return new GpuMemory(buffer, label, _device);
    }

    public void Write(DeviceTensor destination, ReadOnlySpan<float> source)
    {
        Check(source.Length == destination.ElementCount, "Write", $"{source.Length} values do not fill '{destination.Name}' {destination.ShapeText}");
        switch (destination.DType)
        {
            case BufferDType.F32: _device.CopyHostToDevice(MemoryMarshal.AsBytes(source), Buf(destination)); break;
            case BufferDType.BF16:
                var bits = new ushort[source.Length];
                for (var i = 0; i < bits.Length; i++) bits[i] = BFloat16.RoundToBits(source[i]);
                _device.CopyHostToDevice(MemoryMarshal.AsBytes(bits.AsSpan()), Buf(destination));
                break;
            default: throw Fail("Write", $"'{destination.Name}' is {destination.DType}, not a float tensor");
        }
    }

    public void Write(DeviceTensor destination, ReadOnlySpan<int> source)
    {
        Check(destination.DType == BufferDType.I32 && source.Length == destination.ElementCount, "Write",
            $"{source.Length} ints do not fit '{destination.Name}' {destination.DType}{destination.ShapeText}");
        _device.CopyHostToDevice(MemoryMarshal.AsBytes(source), Buf(destination));
    }

    public void Read(DeviceTensor source, Span<float> destination)
    {
        Check(destination.Length == source.ElementCount, "Read", $"'{source.Name}' {source.ShapeText} does not fill {destination.Length} values");
        switch (source.DType)
        {
            case BufferDType.F32: _device.CopyDeviceToHost(Buf(source), MemoryMarshal.AsBytes(destination)); break;
            case BufferDType.BF16:
                var bits = new ushort[destination.Length];
                _device.CopyDeviceToHost(Buf(source), MemoryMarshal.AsBytes(bits.AsSpan()));
                for (var i = 0; i < bits.Length; i++) destination[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16);
                break;
            default: throw Fail("Read", $"'{source.Name}' is {source.DType}, not a float tensor");
        }
    }

    public void Read(DeviceTensor source, Span<int> destination)
    {
        Check(source.DType == BufferDType.I32 && destination.Length == source.ElementCount, "Read", $"'{source.Name}' {source.DType}{source.ShapeText} does not fill {destination.Length} ints");
        _device.CopyDeviceToHost(Buf(source), MemoryMarshal.AsBytes(destination));
    }

    public void Synchronize() => _device.DefaultStream.Synchronize();

    private static int Rows(BufferDesc d) => (int)(d.ElementCount / Math.Max(1, d.Shape.Length == 0 ? 1 : d.Shape[^1]));

    public void Dispose()
    {
        _kernels.Dispose();
        _quantized.Dispose();
        foreach (var b in _owned) _device.Free(b);
        _owned.Clear();
        if (_ownsDevice) _device.Dispose();
    }

    private static KernelArguments Args() => new();

    private static DeviceBuffer Buf(DeviceTensor t)
    {
        if (t.Memory is not GpuMemory m) throw new GpuLaunchException($"tensor '{t.Name}' does not live in GPU memory");
        return m.Buffer.Slice(t.ByteOffset, t.ByteLength);
    }

    private static ulong Ptr(DeviceTensor? t) => t is { } x ? Buf(x).Address : 0;

    private static int Code(DeviceTensor t) => t.DType switch
    {
        BufferDType.F32 => 0,
        BufferDType.BF16 => 1,
        _ => throw new GpuLaunchException($"tensor '{t.Name}' is {t.DType}, not a float tensor"),
    };

    private static Dim3 Grid1D(long threads) => (int)Math.Clamp((threads + RowBlock - 1) / RowBlock, 1, 65535);

    private static int RoundUp32(int n) => Math.Max(32, (n + 31) / 32 * 32);

    private static int RowThreads(int cols) => Math.Min(RowBlock, RoundUp32(cols % 8 == 0 ? cols / 8 : cols));

    private static void Need(string op, DeviceTensor t, BufferDType dtype)
    {
        Check(t.Packed is null, op, $"'{t.Name}' is stored packed ({t.Packed?.Format.ToName()}); this op reads plain {dtype} elements");
        Check(t.DType == dtype, op, $"'{t.Name}' is {t.DType}, the kernel needs {dtype}");
    }

    private static void SameShapeBf16(string op, DeviceTensor a, DeviceTensor b)
    {
        Need(op, a, BufferDType.BF16);
        Need(op, b, BufferDType.BF16);
        Check(a.Shape.SequenceEqual(b.Shape), op, $"'{a.Name}' {a.ShapeText} and '{b.Name}' {b.ShapeText} differ in shape");
    }

    private static void FloatPair(string op, DeviceTensor x, DeviceTensor y)
    {
        Check(x.ElementCount == y.ElementCount, op, $"'{x.Name}' {x.ShapeText} and '{y.Name}' {y.ShapeText} differ in size");
        Code(x);
        Code(y);
    }

    private static void Check(bool condition, string op, string message)
    {
        if (!condition) throw Fail(op, message);
    }

    /// <summary>As above, with an interpolated message that is only formatted when <paramref name="condition"/> is false.</summary>
    private static void Check(bool condition, string op, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage message)
    {
        if (!condition) throw Fail(op, message.ToStringAndClear());
    }

    private static GpuLaunchException Fail(string op, string message) => new($"{op}: {message}");
}
