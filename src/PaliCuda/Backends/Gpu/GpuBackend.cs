using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PaliCuda.Backends.Gpu.Fusion;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Checkpoint;
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
public sealed class GpuBackend : IBackend
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
    public bool KeepsFloat32(GraphOp op) => op is SoftCapOp or ArgMaxOp or SoftCapArgMaxOp;

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

    /// <summary>The quantization plan this backend stores weights under (<see cref="AcceptQuantizationPlan"/>), or null.</summary>
    public QuantizationPlan? WeightPlan => _plan;

    /// <summary>
    /// Stores the packed weights of <paramref name="plan"/> packed from now on: uploads of a packed-format weight take
    /// the checkpoint's bytes (<see cref="IPackedWeightSource"/>) or quantize the given floats with
    /// <see cref="QuantizedWeight.Quantize"/>. Call before the weights are reserved and uploaded.
    /// </summary>
    public bool AcceptQuantizationPlan(QuantizationPlan plan)
    {
        _plan = plan.QuantizesAnything ? plan : null;
        return true;
    }

    /// <summary>Bytes of the weight arenas (allocated once by <see cref="ReserveWeights(long, int)"/> or <see cref="ReserveWeights(IReadOnlyList{BufferDesc})"/>); 0 before.</summary>
    public long WeightArenaBytes => (_weightArena?.ByteLength ?? 0) + (_scalesArena?.ByteLength ?? 0);

    /// <summary>Bytes of the weight arenas holding weights and scales (the rest is alignment slack).</summary>
    public long WeightArenaUsedBytes => _weightCursor + _scalesCursor;

    /// <summary>Device bytes held by the packed-weight MatMul's workspaces (split-K partials, dequantize scratch).</summary>
    public long QuantizedWorkspaceBytes => _quantized.WorkspaceBytes;

    /// <summary>
    /// Sizes the arena for the form each weight is stored in: bf16, or packed data (and scales in a second arena) for
    /// the 2-D weights the accepted plan gives a packed format.
    /// </summary>
    public void ReserveWeights(IReadOnlyList<BufferDesc> weights)
    {
        if (_plan is not { } plan)
        {
            ReserveWeights(weights.Sum(d => d.ElementCount), weights.Count);
            return;
        }
        long data = 0, scales = 0;
        foreach (var d in weights)
        {
            if (PackedFormat(plan, d.Name, d.Shape.Length) is { } format)
            {
                var layout = QuantizedLayout.For(format, d.Shape[0], d.Shape[1]);
                data += layout.DataBytes + PackedAlignment - 1;
                scales += layout.ScalesBytes + PackedAlignment - 1;
            }
            else data += d.ElementCount * 2 + WeightAlignment - 1;
        }
        AllocateArena(data);
        if (scales > 0)
        {
            var buffer = _device.Allocate(scales);
            _owned.Add(buffer);
            _scalesArena = new GpuMemory(buffer, "weight scales", owner: null);
            _scalesCursor = 0;
        }
    }

    public void ReserveWeights(long totalElements) => ReserveWeights(totalElements, 1024);

    /// <summary>One bf16 arena for <paramref name="totalElements"/> weights; each starts 256-byte aligned, so the padding is at most 255 bytes per weight.</summary>
    public void ReserveWeights(long totalElements, int weightCount)
    {
        if (totalElements <= 0) return;
        AllocateArena(totalElements * 2 + (long)Math.Max(1, weightCount) * (WeightAlignment - 1));
    }

    private void AllocateArena(long bytes)
    {
        if (bytes <= 0) return;
        var buffer = _device.Allocate(bytes);
        _owned.Add(buffer);
        _weightArena = new GpuMemory(buffer, "weights", owner: null);
        _weightCursor = 0;
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
        var buffer = _device.Allocate(Math.Max(bytes, 16));
        _device.Memset(buffer, 0);
        return new GpuMemory(buffer, label, _device);
    }

    public DeviceTensor UploadWeight(string name, float[] data, int[] shape)
    {
        if (data.LongLength != shape.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"weight '{name}' has {data.Length} values, shape [{string.Join(", ", shape)}] needs a different count", nameof(data));
        var (memory, offset) = WeightSlot(name, data.LongLength * 2);
        var bits = new ushort[Math.Min(data.Length, UploadChunkElements)];
        for (long done = 0; done < data.LongLength; done += bits.Length)
        {
            var n = (int)Math.Min(bits.Length, data.LongLength - done);
            for (var i = 0; i < n; i++) bits[i] = BFloat16.RoundToBits(data[done + i]);
            _device.CopyHostToDevice(MemoryMarshal.AsBytes(bits.AsSpan(0, n)), memory.Buffer.Slice(offset + done * 2, n * 2L));
        }
        return new DeviceTensor(memory, offset, shape, BufferDType.BF16, name);
    }

    /// <summary>
    /// Streams a checkpoint tensor into the arena as bf16: BF16 bytes are copied as they are, F32 and F16 are converted
    /// chunk by chunk (<see cref="UploadChunkElements"/> at a time), so no float[] of the whole tensor is ever made.
    /// </summary>
    public DeviceTensor UploadWeight(string name, ITensorStore store, int[] shape)
    {
        var info = store.Describe(name);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (info.ElementCount != count)
            throw new CheckpointFormatException($"weight has {info.ElementCount} elements, shape [{string.Join(", ", shape)}] needs {count}", info.FilePath, name);
        if (_plan is { } plan && shape.Length == 2 && PackedFormat(plan, name, info.Shape.Length) is { } format)
            return UploadPacked(name, PackedWeight(name, store, format, shape, info), shape);
        var (memory, offset) = WeightSlot(name, count * 2);
        if (info.DType == TensorDType.BF16)
        {
            for (long done = 0; done < count; done += UploadChunkElements)
            {
                var n = (int)Math.Min(UploadChunkElements, count - done);
                _device.CopyHostToDevice(store.GetBytes(name, done * 2, n * 2), memory.Buffer.Slice(offset + done * 2, n * 2L));
            }
        }
        else
        {
            TensorFloatConversion.EnsureConvertible(info);
            var floats = new float[Math.Min(count, UploadChunkElements)];
            var bits = new ushort[floats.Length];
            for (long done = 0; done < count; done += floats.Length)
            {
                var n = (int)Math.Min(floats.Length, count - done);
                store.ReadFloat32(name, done, floats.AsSpan(0, n));
                for (var i = 0; i < n; i++) bits[i] = BFloat16.RoundToBits(floats[i]);
                _device.CopyHostToDevice(MemoryMarshal.AsBytes(bits.AsSpan(0, n)), memory.Buffer.Slice(offset + done * 2, n * 2L));
            }
        }
        return new DeviceTensor(memory, offset, shape, BufferDType.BF16, name);
    }

    /// <summary>The packed format <paramref name="plan"/> gives weight <paramref name="name"/>, or null when it is stored as bf16.</summary>
    private static WeightFormat? PackedFormat(QuantizationPlan plan, string name, int rank) =>
        rank == 2 && plan.FormatFor(name, rank) is var f && f.IsQuantized() ? f : null;

    /// <summary>The checkpoint's packed bytes when it stores the weight packed in this format, else the floats quantized now.</summary>
    private static QuantizedWeight PackedWeight(string name, ITensorStore store, WeightFormat format, int[] shape, TensorInfo info)
    {
        if ((store as IPackedWeightSource)?.TryGetPacked(name) is { } stored)
        {
            if (stored.Format != format || stored.Rows != shape[0] || stored.Columns != shape[1])
                throw new CheckpointFormatException($"stored packed as {stored.Format.ToName()} [{stored.Rows}, {stored.Columns}]; the plan needs {format.ToName()} [{shape[0]}, {shape[1]}]", info.FilePath, name);
            return stored;
        }
        return QuantizedWeight.Quantize(format, store.ReadFloat32(name), shape[0], shape[1]);
    }

    /// <summary>Copies the packed bytes unchanged: data into the weight arena, scales into the scales arena.</summary>
    private DeviceTensor UploadPacked(string name, QuantizedWeight weight, int[] shape)
    {
        var (memory, offset) = WeightSlot(name, weight.Data.LongLength, PackedAlignment);
        for (long done = 0; done < weight.Data.LongLength; done += UploadChunkElements * 2L)
        {
            var n = (int)Math.Min(UploadChunkElements * 2L, weight.Data.LongLength - done);
            _device.CopyHostToDevice(weight.Data.AsSpan((int)done, n), memory.Buffer.Slice(offset + done, n));
        }
        GpuMemory scalesMemory;
        long scalesOffset;
        var aligned = (_scalesCursor + PackedAlignment - 1) / PackedAlignment * PackedAlignment;
        if (_scalesArena is { } arena && aligned + weight.Scales.LongLength <= arena.ByteLength)
        {
            (scalesMemory, scalesOffset) = (arena, aligned);
            _scalesCursor = aligned + weight.Scales.LongLength;
        }
        else (scalesMemory, scalesOffset) = ((GpuMemory)Allocate(weight.Scales.LongLength, name + " scales"), 0);
        _device.CopyHostToDevice(weight.Scales, scalesMemory.Buffer.Slice(scalesOffset, weight.Scales.LongLength));
        return new DeviceTensor(memory, offset, shape, BufferDType.BF16, name)
        {
            Packed = new PackedWeightStorage(weight.Format, weight.Data.LongLength, scalesMemory, scalesOffset, weight.Scales.LongLength),
        };
    }

    /// <summary>The next aligned slot of the arena, or (without an arena, or when it is full) an allocation of its own.</summary>
    private (GpuMemory Memory, long Offset) WeightSlot(string name, long bytes, int alignment = WeightAlignment)
    {
        var aligned = (_weightCursor + alignment - 1) / alignment * alignment;
        if (_weightArena is { } arena && aligned + bytes <= arena.ByteLength)
        {
            _weightCursor = aligned + bytes;
            return (arena, aligned);
        }
        return ((GpuMemory)Allocate(bytes, name), 0);
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

    public void MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y)
    {
        const string op = "MatMul";
        if (w.Packed is { } packed)
        {
            PackedMatMul(x, w, packed, bias, y);
            return;
        }
        Need(op, x, BufferDType.BF16);
        Need(op, w, BufferDType.BF16);
        int m = x.Rows, k = x.Cols, n = w.Rows;
        Check(w.Cols == k && y.Rows == m && y.Cols == n, op, $"'{x.Name}' {x.ShapeText} · '{w.Name}' {w.ShapeText}ᵀ does not give '{y.Name}' {y.ShapeText}");
        Check(y.DType is BufferDType.BF16 or BufferDType.F32, op, $"output '{y.Name}' must be BF16 or F32, is {y.DType}");
        var beta = 0f;
        if (bias is { } b)
        {
            Need(op, b, BufferDType.BF16);
            Check(b.ElementCount == n, op, $"bias '{b.Name}' {b.ShapeText} does not match {n} outputs");
            Check(y.DType == BufferDType.BF16, op, $"a bias needs a BF16 output; '{y.Name}' is {y.DType}");
            // Seed C with the bias; the GEMM adds it in fp32 (beta = 1) before its one rounding.
            var total = (long)m * n;
            _kernels.Launch("palicuda_broadcast_rows_bf16", Grid1D(total), RowBlock, Args().Add(Buf(y)).Add(Buf(b)).Add(m).Add(n));
            beta = 1f;
        }
        // Row-major Y[M,N] = X·Wᵀ is column-major Yᵀ[N,M] = op(W)·X with W stored column-major as [K,N].
        var cType = y.DType == BufferDType.F32 ? BlasElementType.Float32 : BlasElementType.BFloat16;
        _blas.Gemm(BlasTranspose.Transpose, BlasTranspose.None, n, m, k, 1f,
            new GemmOperand(Buf(w), BlasElementType.BFloat16, k), new GemmOperand(Buf(x), BlasElementType.BFloat16, k),
            beta, new GemmOperand(Buf(y), cType, n), 1, _device.DefaultStream);
    }

    /// <summary>
    /// MatMul on a packed weight: <see cref="QuantizedLinear.Forward"/> — the GEMV kernels for up to
    /// <see cref="QuantizedLinearOptions.GemvMaxTokens"/> rows (decode), dequantize + bf16 GEMM for more (prefill).
    /// </summary>
    private void PackedMatMul(DeviceTensor x, DeviceTensor w, PackedWeightStorage packed, DeviceTensor? bias, DeviceTensor y)
    {
        const string op = "MatMul";
        Need(op, x, BufferDType.BF16);
        int m = x.Rows, k = x.Cols, n = w.Rows;
        Check(w.Cols == k && y.Rows == m && y.Cols == n, op, $"'{x.Name}' {x.ShapeText} · '{w.Name}' ({packed.Format.ToName()}) {w.ShapeText}ᵀ does not give '{y.Name}' {y.ShapeText}");
        Check(y.DType is BufferDType.BF16 or BufferDType.F32, op, $"output '{y.Name}' must be BF16 or F32, is {y.DType}");
        if (bias is { } b)
        {
            Need(op, b, BufferDType.BF16);
            Check(b.ElementCount == n, op, $"bias '{b.Name}' {b.ShapeText} does not match {n} outputs");
            Check(y.DType == BufferDType.BF16, op, $"a bias needs a BF16 output; '{y.Name}' is {y.DType}");
        }
        var outputType = y.DType == BufferDType.F32 ? BlasElementType.Float32 : BlasElementType.BFloat16;
        _quantized.Forward(Buf(x), m, PackedView(w, packed), bias is { } bb ? Buf(bb) : null, Buf(y), outputType);
    }

    /// <summary>The launcher's view of a packed weight tensor (data and scales buffers; checks alignment).</summary>
    private static DeviceQuantizedWeight PackedView(DeviceTensor w, PackedWeightStorage packed)
    {
        if (packed.ScalesMemory is not GpuMemory scales) throw new GpuLaunchException($"scales of '{w.Name}' do not live in GPU memory");
        try
        {
            return new DeviceQuantizedWeight(packed.Format, w.Rows, w.Cols, Buf(w), scales.Buffer.Slice(packed.ScalesOffset, packed.ScalesBytes), w.Name);
        }
        catch (ArgumentException e)
        {
            throw new GpuLaunchException($"packed weight '{w.Name}': {e.Message}", e);
        }
    }

    private static int Rows(BufferDesc d) => (int)(d.ElementCount / Math.Max(1, d.Shape.Length == 0 ? 1 : d.Shape[^1]));

    public void LayerNorm(DeviceTensor x, DeviceTensor gamma, DeviceTensor beta, float eps, DeviceTensor y)
    {
        const string op = "LayerNorm";
        SameShapeBf16(op, x, y);
        Need(op, gamma, BufferDType.BF16);
        Need(op, beta, BufferDType.BF16);
        Check(gamma.ElementCount == x.Cols && beta.ElementCount == x.Cols, op, $"gamma {gamma.ShapeText} / beta {beta.ShapeText} do not match {x.Cols} features");
        _kernels.Launch("palicuda_layernorm_bf16", x.Rows, RowThreads(x.Cols), Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(gamma)).Add(Buf(beta)).Add(x.Cols).Add(eps));
    }

    public void RmsNorm(DeviceTensor x, DeviceTensor weight, float eps, DeviceTensor y)
    {
        const string op = "RmsNorm";
        SameShapeBf16(op, x, y);
        Need(op, weight, BufferDType.BF16);
        Check(weight.ElementCount == x.Cols, op, $"weight '{weight.Name}' {weight.ShapeText} does not match {x.Cols} features");
        _kernels.Launch("palicuda_rmsnorm_bf16", x.Rows, RowThreads(x.Cols), Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(weight)).Add(x.Cols).Add(eps));
    }

    /// <summary>
    /// Gemma 2's sandwich step in one pass: <paramref name="h"/> = residual + rmsnorm(branch, postWeight), then
    /// <paramref name="y"/> = rmsnorm(h, preWeight). Equal to RmsNorm, Add, RmsNorm run one after another.
    /// </summary>
    public void AddRmsNorm(DeviceTensor residual, DeviceTensor branch, DeviceTensor postWeight, DeviceTensor preWeight, float eps, DeviceTensor h, DeviceTensor y)
    {
        const string op = "AddRmsNorm";
        SameShapeBf16(op, residual, branch);
        SameShapeBf16(op, residual, h);
        SameShapeBf16(op, residual, y);
        Need(op, postWeight, BufferDType.BF16);
        Need(op, preWeight, BufferDType.BF16);
        Check(postWeight.ElementCount == residual.Cols && preWeight.ElementCount == residual.Cols, op, "norm weights do not match the feature count");
        _kernels.Launch("palicuda_add_rmsnorm_bf16", residual.Rows, RowThreads(residual.Cols),
            Args().Add(Buf(h)).Add(Buf(y)).Add(Buf(residual)).Add(Buf(branch)).Add(Buf(postWeight)).Add(Buf(preWeight)).Add(residual.Cols).Add(eps));
    }

    public void GeluTanh(DeviceTensor x, DeviceTensor y)
    {
        SameShapeBf16("GeluTanh", x, y);
        _kernels.Launch("palicuda_gelu_tanh_bf16", Grid1D((x.ElementCount + 7) / 8), RowBlock, Args().Add(Buf(y)).Add(Buf(x)).Add(x.ElementCount));
    }

    /// <summary>y = gelu_tanh(x + bias), the bias broadcast over rows.</summary>
    public void BiasGeluTanh(DeviceTensor x, DeviceTensor bias, DeviceTensor y)
    {
        SameShapeBf16("BiasGeluTanh", x, y);
        Need("BiasGeluTanh", bias, BufferDType.BF16);
        Check(bias.ElementCount == x.Cols, "BiasGeluTanh", $"bias {bias.ShapeText} does not match {x.Cols} features");
        _kernels.Launch("palicuda_bias_gelu_tanh_bf16", Grid1D(x.ElementCount), RowBlock, Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(bias)).Add(x.Rows).Add(x.Cols));
    }

    public void GeGlu(DeviceTensor gate, DeviceTensor up, DeviceTensor y)
    {
        SameShapeBf16("GeGlu", gate, up);
        SameShapeBf16("GeGlu", gate, y);
        LaunchGeGlu(Buf(gate), Buf(up), gate.Cols, gate.Cols, y);
    }

    /// <summary>GeGLU from one fused gate|up GEMM output [rows, 2·cols]: y = gelu(gu[:, :cols]) ⊙ gu[:, cols:].</summary>
    public void GeGluFused(DeviceTensor gateUp, DeviceTensor y)
    {
        const string op = "GeGluFused";
        Need(op, gateUp, BufferDType.BF16);
        Need(op, y, BufferDType.BF16);
        Check(gateUp.Rows == y.Rows && gateUp.Cols == 2 * y.Cols, op, $"'{gateUp.Name}' {gateUp.ShapeText} is not [rows, 2·{y.Cols}]");
        var gu = Buf(gateUp);
        LaunchGeGlu(gu, gu.Slice((long)y.Cols * 2), 2 * y.Cols, 2 * y.Cols, y);
    }

    private void LaunchGeGlu(DeviceBuffer gate, DeviceBuffer up, int gateStride, int upStride, DeviceTensor y)
    {
        const int threads = 128;
        var groups = (y.Cols + 7) / 8;
        _kernels.Launch("palicuda_geglu_bf16", new Dim3((uint)((groups + threads - 1) / threads), (uint)y.Rows), threads,
            Args().Add(Buf(y)).Add(gate).Add(up).Add(y.Cols).Add(gateStride).Add(upStride));
    }

    public void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y)
    {
        SameShapeBf16("Add", a, b);
        SameShapeBf16("Add", a, y);
        _kernels.Launch("palicuda_add_bf16", Grid1D((a.ElementCount + 7) / 8), RowBlock, Args().Add(Buf(y)).Add(Buf(a)).Add(Buf(b)).Add(a.ElementCount));
    }

    public void Scale(DeviceTensor x, float factor, bool divide, DeviceTensor y)
    {
        FloatPair("Scale", x, y);
        _kernels.Launch("palicuda_scale", Grid1D(x.ElementCount), RowBlock,
            Args().Add(Buf(y)).Add(Code(y)).Add(Buf(x)).Add(Code(x)).Add(factor).Add(divide ? 1 : 0).Add(x.ElementCount));
    }

    public void SoftCap(DeviceTensor x, float cap, DeviceTensor y)
    {
        FloatPair("SoftCap", x, y);
        Check(cap > 0 && float.IsFinite(cap), "SoftCap", $"cap {cap} must be positive and finite");
        _kernels.Launch("palicuda_softcap", Grid1D(x.ElementCount), RowBlock,
            Args().Add(Buf(y)).Add(Code(y)).Add(Buf(x)).Add(Code(x)).Add(cap).Add(x.ElementCount));
    }

    public void Rope(DeviceTensor x, DeviceTensor cachePositions, int positionOffset, int numHeads, int headDim, float theta, DeviceTensor y)
    {
        const string op = "Rope";
        SameShapeBf16(op, x, y);
        Need(op, cachePositions, BufferDType.I32);
        Check(headDim % 2 == 0 && x.Cols == numHeads * headDim, op, $"'{x.Name}' {x.ShapeText} is not [tokens, {numHeads}·{headDim}] with an even head size");
        Check(cachePositions.ElementCount == x.Rows, op, $"positions '{cachePositions.Name}' {cachePositions.ShapeText} do not match {x.Rows} tokens");
        _kernels.Launch("palicuda_rope_bf16", x.Rows, Math.Min(1024, RoundUp32(numHeads * headDim / 2)),
            Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(cachePositions)).Add(positionOffset).Add(numHeads).Add(headDim).Add(theta));
    }

    public void Attention(DeviceTensor q, DeviceTensor k, DeviceTensor v, DeviceTensor? queryPositions, DeviceTensor? prefixLength, AttentionParams p, DeviceTensor y)
    {
        const string op = "Attention";
        SameShapeBf16(op, q, y);
        Need(op, k, BufferDType.BF16);
        Need(op, v, BufferDType.BF16);
        Check(p.NumHeads > 0 && p.NumKvHeads > 0 && p.NumHeads % p.NumKvHeads == 0, op, $"{p.NumHeads} heads are not a multiple of {p.NumKvHeads} kv heads");
        Check(p.HeadDim is > 0 and <= 256, op, $"head size {p.HeadDim} is outside the kernels' 1..256");
        Check(q.Cols == p.NumHeads * p.HeadDim, op, $"queries '{q.Name}' {q.ShapeText} are not [queries, {p.NumHeads}·{p.HeadDim}]");
        Check(k.ElementCount == v.ElementCount && k.Shape.SequenceEqual(v.Shape), op, $"keys {k.ShapeText} and values {v.ShapeText} differ");
        var cached = p.Layout == KvLayout.HeadMajorCache;
        int capacity;
        if (cached)
        {
            Check(k.Shape.Length == 3 && k.Shape[0] == p.NumKvHeads && k.Shape[2] == p.HeadDim, op, $"cache '{k.Name}' {k.ShapeText} is not [{p.NumKvHeads}, capacity, {p.HeadDim}]");
            Check(queryPositions is not null && prefixLength is not null, op, "the KV-cache layout needs query positions and the prefix length");
            capacity = k.Shape[1];
        }
        else
        {
            Check(k.Cols == p.NumKvHeads * p.HeadDim, op, $"keys '{k.Name}' {k.ShapeText} are not [keys, {p.NumKvHeads}·{p.HeadDim}]");
            capacity = k.Rows;
        }
        if (queryPositions is { } qp) Check(qp.DType == BufferDType.I32 && qp.ElementCount == q.Rows, op, $"query positions '{qp.Name}' must be I32 [{q.Rows}]");
        if (prefixLength is { } pl) Check(pl.DType == BufferDType.I32 && pl.ElementCount == 1, op, $"prefix length '{pl.Name}' must be I32 [1]");
        var mask = p.Mask;
        var maskKind = mask.Kind == AttentionMaskKind.Bidirectional ? 0 : 1;
        var window = mask.SlidingWindow ?? 0;
        Check(mask.SlidingWindow is null || window > 0, op, $"sliding window {window} must be positive");
        var semantics = mask.WindowSemantics switch
        {
            Config.SlidingWindowSemantics.WindowAlways => 0,
            Config.SlidingWindowSemantics.WindowOrPrefix => 1,
            Config.SlidingWindowSemantics.None => 2,
            _ => throw Fail(op, $"unknown sliding-window semantics {mask.WindowSemantics}"),
        };
        var softcap = p.SoftCap ?? 0f;
        Check(p.SoftCap is null || (softcap > 0 && float.IsFinite(softcap)), op, $"soft cap {softcap} must be positive and finite");
        var decode = cached && q.Rows <= _options.DecodeMaxQueries
            && KernelVariants.Resolve(KernelVariants.AttentionDecode, _options.Variants) == "split_kv";
        if (!decode)
        {
            var args = Args().Add(Buf(y)).Add(Buf(q)).Add(Buf(k)).Add(Buf(v)).AddPointer(Ptr(queryPositions)).AddPointer(Ptr(prefixLength))
                .Add(q.Rows).Add(p.NumHeads).Add(p.NumKvHeads).Add(p.HeadDim).Add(cached ? 1 : 0).Add(capacity)
                .Add(p.Scale).Add(softcap).Add(maskKind).Add(window).Add(semantics);
            if (PrefillVariant(p, q, k, v, y) is { } flash)
            {
                _kernels.Launch(flash.Entry, new Dim3((uint)((q.Rows + FlashAttentionTiles.QueryRows - 1) / FlashAttentionTiles.QueryRows), (uint)p.NumHeads),
                    FlashAttentionTiles.Threads, args, flash.SharedBytes);
                return;
            }
            var rows = q.Rows * p.NumHeads;
            _kernels.Launch("palicuda_attention_prefill_reference", (rows + AttentionWarpsPerBlock - 1) / AttentionWarpsPerBlock, 32 * AttentionWarpsPerBlock, args);
            return;
        }
        var splits = Math.Clamp((capacity + _options.DecodeKeysPerSplit - 1) / _options.DecodeKeysPerSplit, 1, _options.MaxDecodeSplits);
        var rowsCount = q.Rows * p.NumHeads;
        var workspace = DecodeWorkspace((long)rowsCount * splits * (p.HeadDim + 2) * 4);
        _kernels.Launch("palicuda_attention_decode_split", new Dim3((uint)rowsCount, (uint)splits), 32,
            Args().Add(workspace).Add(Buf(q)).Add(Buf(k)).Add(Buf(v)).AddPointer(Ptr(queryPositions)).AddPointer(Ptr(prefixLength))
                .Add(p.NumHeads).Add(p.NumKvHeads).Add(p.HeadDim).Add(capacity).Add(splits)
                .Add(p.Scale).Add(softcap).Add(maskKind).Add(window).Add(semantics));
        _kernels.Launch("palicuda_attention_decode_combine", rowsCount, 32, Args().Add(Buf(y)).Add(workspace).Add(splits).Add(p.HeadDim));
    }

    /// <summary>
    /// The flash_mma kernel for this prefill, or null for the reference kernel. flash_mma needs a head size that is a
    /// multiple of 8 (at most 256) and 16-byte aligned tensors; when it cannot serve the shape, an explicit choice of
    /// flash_mma throws, while the default choice falls back to reference and records why in <see cref="VariantFallbacks"/>.
    /// </summary>
    private (string Entry, int SharedBytes)? PrefillVariant(AttentionParams p, params DeviceTensor[] tensors)
    {
        var variant = KernelVariants.Resolve(KernelVariants.AttentionPrefill, _options.Variants);
        if (variant != "flash_mma") return null;
        var (entry, shared, unsupported) = FlashAttentionTiles.For(p.HeadDim);
        unsupported ??= tensors.FirstOrDefault(t => Buf(t).Address % 16 != 0) is { } misaligned
            ? $"tensor '{misaligned.Name}' is not 16-byte aligned (the kernel copies 16-byte chunks)"
            : null;
        if (unsupported is null) return (entry!, shared);
        if (_options.Variants.ContainsKey(KernelVariants.AttentionPrefill))
            throw Fail("Attention", $"kernel variant {KernelVariants.AttentionPrefill}=flash_mma was requested but cannot run: {unsupported}");
        var note = $"{KernelVariants.AttentionPrefill}: flash_mma -> reference ({unsupported})";
        if (_variantFallbacks.Add(note)) System.Diagnostics.Trace.TraceWarning(note);
        return null;
    }

    /// <summary>Distinct reasons a default kernel variant was replaced by another (each also traced once as a warning).</summary>
    public IReadOnlyCollection<string> VariantFallbacks => _variantFallbacks;

    /// <summary>
    /// After the fused q|k|v GEMM: <paramref name="qOut"/> = rope(q), the cache rows at the tokens' positions =
    /// rope(k) and v. Equal to Rope(q), Rope(k), KvCacheWrite(k), KvCacheWrite(v) on the column blocks of <paramref name="qkv"/>.
    /// </summary>
    public void QkvRopeCache(DeviceTensor qkv, DeviceTensor cachePositions, int positionOffset, int numHeads, int numKvHeads, int headDim, float theta,
        DeviceTensor qOut, DeviceTensor keyCache, DeviceTensor valueCache)
    {
        const string op = "QkvRopeCache";
        Need(op, qkv, BufferDType.BF16);
        Need(op, qOut, BufferDType.BF16);
        Need(op, keyCache, BufferDType.BF16);
        Need(op, valueCache, BufferDType.BF16);
        Need(op, cachePositions, BufferDType.I32);
        Check(headDim > 0 && headDim % 2 == 0 && numHeads > 0 && numKvHeads > 0, op, $"{numHeads}/{numKvHeads} heads of size {headDim} (must be even)");
        Check(qkv.Cols == (numHeads + 2 * numKvHeads) * headDim, op, $"'{qkv.Name}' {qkv.ShapeText} is not [tokens, ({numHeads} + 2·{numKvHeads})·{headDim}]");
        Check(qOut.Rows == qkv.Rows && qOut.Cols == numHeads * headDim, op, $"'{qOut.Name}' {qOut.ShapeText} is not [{qkv.Rows}, {numHeads}·{headDim}]");
        Check(keyCache.Shape.Length == 3 && keyCache.Shape[0] == numKvHeads && keyCache.Shape[2] == headDim && keyCache.Shape.SequenceEqual(valueCache.Shape), op,
            $"caches '{keyCache.Name}' {keyCache.ShapeText} / '{valueCache.Name}' {valueCache.ShapeText} are not [{numKvHeads}, capacity, {headDim}]");
        Check(cachePositions.ElementCount == qkv.Rows, op, $"positions {cachePositions.ShapeText} do not match {qkv.Rows} tokens");
        _kernels.Launch("palicuda_qkv_rope_cache_bf16", qkv.Rows, Math.Min(1024, RoundUp32((numHeads + numKvHeads) * headDim / 2)),
            Args().Add(Buf(qOut)).Add(Buf(keyCache)).Add(Buf(valueCache)).Add(Buf(qkv)).Add(Buf(cachePositions)).Add(positionOffset)
                .Add(numHeads).Add(numKvHeads).Add(headDim).Add(keyCache.Shape[1]).Add(theta));
    }

    public void KvCacheWrite(DeviceTensor source, DeviceTensor cachePositions, DeviceTensor cache)
    {
        const string op = "KvCacheWrite";
        Need(op, source, BufferDType.BF16);
        Need(op, cache, BufferDType.BF16);
        Need(op, cachePositions, BufferDType.I32);
        Check(cache.Shape.Length == 3 && source.Cols == cache.Shape[0] * cache.Shape[2], op, $"source '{source.Name}' {source.ShapeText} does not match cache '{cache.Name}' {cache.ShapeText}");
        Check(cachePositions.ElementCount == source.Rows, op, $"positions {cachePositions.ShapeText} do not match {source.Rows} tokens");
        int kvHeads = cache.Shape[0], capacity = cache.Shape[1], hd = cache.Shape[2];
        _kernels.Launch("palicuda_kv_cache_write_bf16", new Dim3((uint)source.Rows, (uint)kvHeads), Math.Min(256, RoundUp32(hd)),
            Args().Add(Buf(cache)).Add(Buf(source)).Add(Buf(cachePositions)).Add(kvHeads).Add(capacity).Add(hd));
    }

    public void EmbeddingGather(DeviceTensor table, DeviceTensor ids, DeviceTensor y)
    {
        const string op = "EmbeddingGather";
        Need(op, y, BufferDType.BF16);
        Need(op, ids, BufferDType.I32);
        Check(y.Rows == ids.ElementCount && y.Cols == table.Cols, op, $"'{y.Name}' {y.ShapeText} is not [{ids.ElementCount}, {table.Cols}]");
        if (table.Packed is { } packed)
        {
            // The same packed table the LM head multiplies with: each row dequantized (s·q in fp32), rounded to bf16 once.
            var view = PackedView(table, packed);
            var entry = packed.Format switch
            {
                WeightFormat.Int8 => "palicuda_embedding_gather_int8",
                WeightFormat.Int4 => "palicuda_embedding_gather_int4",
                WeightFormat.Fp8 => "palicuda_embedding_gather_fp8",
                _ => throw Fail(op, $"table '{table.Name}' has no gather kernel for {packed.Format.ToName()}"),
            };
            _kernels.Launch(entry, y.Rows, Math.Min(1024, RoundUp32(table.Cols)),
                Args().Add(Buf(y)).Add(view.Data).Add(view.Scales).Add(Buf(ids)).Add(table.Cols).Add(table.Rows).Add(1f));
            return;
        }
        Need(op, table, BufferDType.BF16);
        _kernels.Launch("palicuda_embedding_gather_bf16", y.Rows, Math.Min(1024, RoundUp32(table.Cols)),
            Args().Add(Buf(y)).Add(Buf(table)).Add(Buf(ids)).Add(table.Cols).Add(table.Rows).Add(1f));
    }

    public void ScatterImageFeatures(DeviceTensor embeds, DeviceTensor ids, DeviceTensor features, int imageTokenIndex, DeviceTensor y)
    {
        const string op = "ScatterImageFeatures";
        SameShapeBf16(op, embeds, y);
        Need(op, features, BufferDType.BF16);
        Need(op, ids, BufferDType.I32);
        Check(features.Cols == embeds.Cols && ids.ElementCount == embeds.Rows, op, $"features {features.ShapeText}, ids {ids.ShapeText} do not match embeddings {embeds.ShapeText}");
        _kernels.Launch("palicuda_scatter_image_features_bf16", y.Rows, Math.Min(1024, RoundUp32(y.Cols)),
            Args().Add(Buf(y)).Add(Buf(embeds)).Add(Buf(ids)).Add(Buf(features)).Add(features.Rows).Add(y.Cols).Add(imageTokenIndex).Add(1f).Add(0));
    }

    public void Patchify(DeviceTensor pixels, int patchSize, DeviceTensor y)
    {
        const string op = "Patchify";
        Check(pixels.DType is BufferDType.F32 or BufferDType.BF16 && pixels.Shape.Length == 3, op, $"pixels '{pixels.Name}' must be a float [C, H, W] tensor");
        Need(op, y, BufferDType.BF16);
        int c = pixels.Shape[0], h = pixels.Shape[1], w = pixels.Shape[2];
        Check(patchSize > 0 && h % patchSize == 0 && w % patchSize == 0, op, $"image {h}x{w} is not a whole number of {patchSize}-pixel patches");
        Check(y.Rows == h / patchSize * (w / patchSize) && y.Cols == c * patchSize * patchSize, op, $"'{y.Name}' {y.ShapeText} does not hold the patches");
        _kernels.Launch("palicuda_patchify_bf16", y.Rows, Math.Min(1024, RoundUp32(y.Cols)),
            Args().Add(Buf(y)).Add(Buf(pixels)).Add(Code(pixels)).Add(c).Add(h).Add(w).Add(patchSize));
    }

    public void SliceRows(DeviceTensor x, int start, DeviceTensor y)
    {
        Check(x.DType == y.DType && x.Cols == y.Cols && start >= 0 && start + y.Rows <= x.Rows, "SliceRows",
            $"rows {start}..{start + y.Rows} of '{x.Name}' {x.DType}{x.ShapeText} do not fit '{y.Name}' {y.DType}{y.ShapeText}");
        var rowBytes = (long)x.Cols * x.DType.ElementBytes();
        _device.CopyDeviceToDevice(Buf(x).Slice(start * rowBytes, y.ByteLength), Buf(y));
    }

    public void ArgMax(DeviceTensor x, int limit, DeviceTensor y)
    {
        const string op = "ArgMax";
        Check(x.DType is BufferDType.F32 or BufferDType.BF16, op, $"'{x.Name}' must be a float tensor");
        Need(op, y, BufferDType.I32);
        Check(limit > 0 && limit <= x.Cols && y.ElementCount == x.Rows, op, $"limit {limit} / output {y.ShapeText} do not fit '{x.Name}' {x.ShapeText}");
        _kernels.Launch("palicuda_argmax_rows", x.Rows, RowBlock, Args().Add(Buf(y)).Add(Buf(x)).Add(Code(x)).Add(x.Cols).Add(limit));
    }

    /// <summary>
    /// Final soft cap fused with greedy argmax: <paramref name="capped"/> (F32, may be null) receives cap·tanh(x/cap) and
    /// <paramref name="ids"/> the first index of each row's maximum below <paramref name="limit"/>.
    /// </summary>
    public void SoftCapArgMax(DeviceTensor x, float cap, int limit, DeviceTensor? capped, DeviceTensor ids)
    {
        const string op = "SoftCapArgMax";
        Check(x.DType is BufferDType.F32 or BufferDType.BF16, op, $"'{x.Name}' must be a float tensor");
        Need(op, ids, BufferDType.I32);
        Check(cap > 0 && float.IsFinite(cap), op, $"cap {cap} must be positive and finite");
        Check(limit > 0 && limit <= x.Cols && ids.ElementCount == x.Rows, op, $"limit {limit} / ids {ids.ShapeText} do not fit '{x.Name}' {x.ShapeText}");
        if (capped is { } c) Check(c.DType == BufferDType.F32 && c.ElementCount == x.ElementCount, op, $"capped '{c.Name}' must be F32 like {x.ShapeText}");
        _kernels.Launch("palicuda_softcap_argmax", x.Rows, RowBlock, Args().Add(Buf(ids)).AddPointer(Ptr(capped)).Add(Buf(x)).Add(Code(x)).Add(x.Cols).Add(limit).Add(cap));
    }

    public void Dispose()
    {
        _kernels.Dispose();
        _quantized.Dispose();
        foreach (var b in _owned) _device.Free(b);
        _owned.Clear();
        if (_ownsDevice) _device.Dispose();
    }

    private DeviceBuffer DecodeWorkspace(long bytes)
    {
        if (_decodeWorkspace is { } w && w.ByteLength >= bytes) return w.Slice(0, bytes);
        if (_decodeWorkspace is { } old)
        {
            _owned.Remove(old);
            _device.Free(old);
        }
        var fresh = _device.Allocate(bytes);
        _owned.Add(fresh);
        _decodeWorkspace = fresh;
        return fresh;
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
