using PaliCuda.Devices;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu.Quantized;

/// <summary>
/// y = x·Wᵀ (+ bias) for a packed weight W [N, K] (int8, int4 or fp8) and bf16 activations x [M, K], both row-major;
/// y [M, N] is bf16 or fp32. Two paths (<see cref="ChoosePath"/> picks by M):
/// <list type="bullet">
/// <item><see cref="QuantizedLinearPath.Gemv"/> (M ≤ <see cref="QuantizedLinearOptions.GemvMaxTokens"/>): the
/// kernels of kernels/gemv_{int8,int4,fp8}.cu read the packed bytes once and dequantize in registers, optionally split
/// over K with a deterministic combine pass.</item>
/// <item><see cref="QuantizedLinearPath.DequantizeGemm"/>: kernels/dequantize.cu writes W as bf16 into a scratch
/// [N, K], then the bf16 GEMM of <see cref="IDeviceBlas"/> runs as for an unquantized weight. (A mixed-input
/// tensor-core GEMM that reads int4/int8 directly is later work.)</item>
/// </list>
/// All work goes to the device's default stream, as in <see cref="GpuBackend"/>. The split-K partials and the bf16
/// scratch are buffers this object owns and grows on demand; call <see cref="Reserve(int, int, int)"/> with the largest
/// shapes (or <see cref="Reserve(DeviceQuantizedWeight, int)"/> per call) before capturing a graph, since growing is
/// refused while the stream captures. A grown-out buffer is kept until dispose, because a graph captured earlier may
/// still point at it. The scratch holds at most <see cref="QuantizedLinearOptions.MaxScratchBytes"/> (a larger weight,
/// such as the LM head over a full prompt, is dequantized and multiplied in row blocks).
/// </summary>
public sealed class QuantizedLinear : IDisposable
{
    /// <summary>The largest M the GEMV kernels accept (their kMaxTokens).</summary>
    public const int MaxGemvTokens = 8;

    private const int ElementwiseBlock = 256;

    private readonly IComputeDevice _device;
    private readonly IDeviceBlas _blas;
    private readonly GpuKernels _kernels;
    private readonly List<DeviceBuffer> _uploads = [];
    private readonly List<DeviceBuffer> _retired = [];
    private DeviceBuffer? _partials;
    private DeviceBuffer? _scratch;

    public QuantizedLinear(IComputeDevice device, IDeviceBlas blas, QuantizedLinearOptions? options = null)
    {
        _device = device;
        _blas = blas;
        Options = options ?? new QuantizedLinearOptions();
        if (Options.GemvMaxTokens is < 0 or > MaxGemvTokens)
            throw new ArgumentOutOfRangeException(nameof(options), Options.GemvMaxTokens, $"GemvMaxTokens must lie in [0, {MaxGemvTokens}]");
        if (Options.TargetBlocks < 1 || Options.MaxSplits < 1 || Options.MinChunksPerSplit < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "TargetBlocks, MaxSplits and MinChunksPerSplit must be positive");
        if (Options.MaxScratchBytes < 2L * ScratchRowQuantum * 128)
            throw new ArgumentOutOfRangeException(nameof(options), Options.MaxScratchBytes, $"MaxScratchBytes must hold at least {ScratchRowQuantum} rows of 128 bf16");
        _kernels = new GpuKernels(device, Options.StripPtxLineInfo);
    }

    public QuantizedLinearOptions Options { get; }

    /// <summary>
    /// Row blocks of the dequantize + GEMM path start at multiples of this many rows, so every block's data, scales
    /// and output columns stay 16-byte aligned (int8 scales: 4 bytes a row; fp32 output columns: 4 bytes).
    /// </summary>
    public const int ScratchRowQuantum = 64;

    /// <summary>Device bytes currently held for split-K partials and the dequantize scratch (retired buffers included).</summary>
    public long WorkspaceBytes => (_partials?.ByteLength ?? 0) + (_scratch?.ByteLength ?? 0) + _retired.Sum(b => b.ByteLength);

    public QuantizedLinearPath ChoosePath(int tokens) =>
        tokens <= Options.GemvMaxTokens ? QuantizedLinearPath.Gemv : QuantizedLinearPath.DequantizeGemm;

    /// <summary>Uploads a packed weight into buffers owned by this object (freed on dispose).</summary>
    public DeviceQuantizedWeight Upload(QuantizedWeight weight, string name = "weight")
    {
        var data = _device.Upload<byte>(weight.Data);
        _uploads.Add(data);
        var scales = _device.Upload<byte>(weight.Scales);
        _uploads.Add(scales);
        return new DeviceQuantizedWeight(weight.Format, weight.Rows, weight.Columns, data, scales, name);
    }

    /// <summary>Pre-allocates the workspaces for every call with at most these shapes (do this before graph capture).</summary>
    public void Reserve(int maxTokens, int maxRows, int maxColumns)
    {
        EnsurePartials(4L * Options.MaxSplits * Math.Min(maxTokens, MaxGemvTokens) * maxRows);
        if (maxTokens > Options.GemvMaxTokens) EnsureScratch(ScratchBytes(maxRows, maxColumns));
    }

    /// <summary>Pre-allocates exactly what <see cref="Forward"/> of <paramref name="tokens"/> rows through <paramref name="weight"/> needs.</summary>
    public void Reserve(DeviceQuantizedWeight weight, int tokens)
    {
        if (ChoosePath(tokens) == QuantizedLinearPath.DequantizeGemm)
        {
            EnsureScratch(ScratchBytes(weight.Rows, weight.Columns));
            return;
        }
        int splits = QuantizedGemvGeometry.Splits(weight.Format, weight.Rows, weight.Columns, Options);
        if (splits > 1) EnsurePartials(4L * splits * tokens * weight.Rows);
    }

    /// <summary>Rows of W dequantized per GEMM on the prefill path: all of them, or as many whole quanta as fit the scratch cap.</summary>
    public int ScratchRows(int rows, int columns)
    {
        long fit = Options.MaxScratchBytes / (2L * columns) / ScratchRowQuantum * ScratchRowQuantum;
        return (int)Math.Min(rows, Math.Max(ScratchRowQuantum, fit));
    }

    private long ScratchBytes(int rows, int columns) => 2L * ScratchRows(rows, columns) * columns;

    /// <summary>y [M, N] = x [M, K] · Wᵀ (+ bias [N], bf16) through the path <see cref="ChoosePath"/> picks.</summary>
    public void Forward(DeviceBuffer x, int tokens, DeviceQuantizedWeight weight, DeviceBuffer? bias, DeviceBuffer y, BlasElementType outputType)
    {
        if (ChoosePath(tokens) == QuantizedLinearPath.Gemv) Gemv(x, tokens, weight, bias, y, outputType);
        else DequantizeGemm(x, tokens, weight, bias, y, outputType);
    }

    /// <summary>The GEMV path; <paramref name="splits"/> overrides the K split (1 .. chunks per row), otherwise <see cref="QuantizedGemvGeometry.Splits"/>.</summary>
    public void Gemv(DeviceBuffer x, int tokens, DeviceQuantizedWeight weight, DeviceBuffer? bias, DeviceBuffer y, BlasElementType outputType, int? splits = null)
    {
        const string op = "QuantizedLinear.Gemv";
        CheckOperands(op, x, tokens, weight, bias, y, outputType);
        if (tokens > MaxGemvTokens) throw Fail(op, weight, $"{tokens} tokens exceed the GEMV limit of {MaxGemvTokens}; use the dequantize + GEMM path");
        int n = weight.Rows, k = weight.Columns;
        int chunks = QuantizedGemvGeometry.ChunksPerRow(weight.Format, k);
        int s = splits ?? QuantizedGemvGeometry.Splits(weight.Format, n, k, Options);
        if (s < 1 || s > chunks) throw Fail(op, weight, $"{s} K splits requested; a row has {chunks} 16-byte chunks");
        int dtype = outputType == BlasElementType.BFloat16 ? 1 : 0;
        ulong partialAddress = 0;
        if (s > 1) partialAddress = EnsurePartials(4L * s * tokens * n).Address;
        string entry = weight.Format switch
        {
            WeightFormat.Int8 => "palicuda_gemv_int8",
            WeightFormat.Int4 => "palicuda_gemv_int4",
            _ => "palicuda_gemv_fp8",
        } + (tokens == 1 ? "_m1" : "_m8");
        var args = new KernelArguments().Add(y).AddPointer(partialAddress).Add(x).Add(weight.Data).Add(weight.Scales)
            .AddPointer(bias?.Address ?? 0).Add(tokens).Add(n).Add(k).Add(s).Add(dtype);
        _kernels.Launch(entry, new Dim3((uint)QuantizedGemvGeometry.RowBlocks(n), (uint)s), new Dim3(QuantizedGemvGeometry.ThreadsPerBlock), args);
        if (s == 1) return;
        long total = (long)tokens * n;
        var combine = new KernelArguments().Add(y).AddPointer(partialAddress).AddPointer(bias?.Address ?? 0).Add(tokens).Add(n).Add(s).Add(dtype);
        _kernels.Launch("palicuda_gemv_combine", Grid(total), new Dim3(ElementwiseBlock), combine);
    }

    /// <summary>
    /// The prefill path: dequantize into the bf16 scratch, then the bf16 GEMM (bias seeds C, as in GpuBackend.MatMul).
    /// When W does not fit <see cref="QuantizedLinearOptions.MaxScratchBytes"/> as bf16, row blocks of
    /// <see cref="ScratchRows"/> rows are dequantized and multiplied in turn, each GEMM writing its columns of y.
    /// </summary>
    public void DequantizeGemm(DeviceBuffer x, int tokens, DeviceQuantizedWeight weight, DeviceBuffer? bias, DeviceBuffer y, BlasElementType outputType)
    {
        const string op = "QuantizedLinear.DequantizeGemm";
        CheckOperands(op, x, tokens, weight, bias, y, outputType);
        if (bias is not null && outputType != BlasElementType.BFloat16)
            throw Fail(op, weight, "a bias needs a bf16 output on the GEMM path (the GEMM adds C seeded with the bias)");
        int n = weight.Rows, k = weight.Columns;
        int block = ScratchRows(n, k);
        var scratchAll = EnsureScratch(2L * block * k);
        float beta = 0f;
        if (bias is { } b)
        {
            _kernels.Launch("palicuda_broadcast_rows_bf16", Grid((long)tokens * n), new Dim3(ElementwiseBlock),
                new KernelArguments().Add(y).Add(b).Add(tokens).Add(n));
            beta = 1f;
        }
        var layout = QuantizedLayout.For(weight.Format, n, k);
        long dataRowBytes = layout.DataBytes / n, scalesRowBytes = layout.ScalesBytes / n;
        int outputBytes = outputType == BlasElementType.BFloat16 ? 2 : 4;
        for (int r0 = 0; r0 < n; r0 += block)
        {
            int rows = Math.Min(block, n - r0);
            var part = rows == n ? weight : new DeviceQuantizedWeight(weight.Format, rows, k,
                weight.Data.Slice(r0 * dataRowBytes, rows * dataRowBytes), weight.Scales.Slice(r0 * scalesRowBytes, rows * scalesRowBytes), weight.Name);
            var scratch = scratchAll.Slice(0, 2L * rows * k);
            Dequantize(part, scratch);
            // Row-major Y[M,N] = X·Wᵀ is column-major Yᵀ[N,M] = op(W)·X with W stored column-major as [K,N]; a row
            // block of W gives the column block [r0, r0 + rows) of Y, whose rows stay n apart.
            _blas.Gemm(BlasTranspose.Transpose, BlasTranspose.None, rows, tokens, k, 1f,
                new GemmOperand(scratch, BlasElementType.BFloat16, k), new GemmOperand(x, BlasElementType.BFloat16, k),
                beta, new GemmOperand(y.Slice(r0 * (long)outputBytes, y.ByteLength - r0 * (long)outputBytes), outputType, n), 1, _device.DefaultStream);
        }
    }

    /// <summary>Writes W as bf16 [N, K] row-major (each value s·q in fp32, rounded once) into <paramref name="destination"/>.</summary>
    public void Dequantize(DeviceQuantizedWeight weight, DeviceBuffer destination)
    {
        int n = weight.Rows, k = weight.Columns;
        if (destination.ByteLength < 2L * n * k)
            throw Fail("QuantizedLinear.Dequantize", weight, $"destination {destination} is smaller than the {2L * n * k} bytes of bf16 [{n}, {k}]");
        if (destination.Address % 16 != 0) throw Fail("QuantizedLinear.Dequantize", weight, $"destination {destination} is not 16-byte aligned");
        long threads = weight.Format == WeightFormat.Int4
            ? (long)n * (Int4GroupFormat.PaddedColumns(k) / 8)
            : (long)n * ((k + 7) / 8);
        string entry = weight.Format switch
        {
            WeightFormat.Int8 => "palicuda_dequantize_int8_bf16",
            WeightFormat.Int4 => "palicuda_dequantize_int4_bf16",
            _ => "palicuda_dequantize_fp8_bf16",
        };
        _kernels.Launch(entry, Grid(threads), new Dim3(ElementwiseBlock),
            new KernelArguments().Add(destination).Add(weight.Data).Add(weight.Scales).Add(n).Add(k));
    }

    private void CheckOperands(string op, DeviceBuffer x, int tokens, DeviceQuantizedWeight weight, DeviceBuffer? bias, DeviceBuffer y, BlasElementType outputType)
    {
        int n = weight.Rows, k = weight.Columns;
        if (tokens < 1) throw Fail(op, weight, $"token count {tokens} must be positive");
        if (x.ByteLength < 2L * tokens * k) throw Fail(op, weight, $"x {x} is smaller than bf16 [{tokens}, {k}]");
        if (x.Address % 16 != 0) throw Fail(op, weight, $"x {x} is not 16-byte aligned");
        long yBytes = (long)tokens * n * (outputType == BlasElementType.BFloat16 ? 2 : 4);
        if (y.ByteLength < yBytes) throw Fail(op, weight, $"y {y} is smaller than {outputType} [{tokens}, {n}]");
        if (bias is { } b && b.ByteLength < 2L * n) throw Fail(op, weight, $"bias {b} is smaller than bf16 [{n}]");
    }

    private static GpuLaunchException Fail(string op, DeviceQuantizedWeight weight, string message) =>
        new($"{op} on '{weight.Name}' ({weight.Format.ToName()} [{weight.Rows}, {weight.Columns}]): {message}");

    private static Dim3 Grid(long threads)
    {
        long blocks = (threads + ElementwiseBlock - 1) / ElementwiseBlock;
        if (blocks > int.MaxValue) throw new GpuLaunchException($"{threads} threads exceed a 1-D grid");
        return new Dim3((uint)blocks);
    }

    private DeviceBuffer EnsurePartials(long bytes) => Ensure(ref _partials, bytes, "split-K partials");

    private DeviceBuffer EnsureScratch(long bytes) => Ensure(ref _scratch, bytes, "bf16 dequantize scratch");

    private DeviceBuffer Ensure(ref DeviceBuffer? buffer, long bytes, string what)
    {
        if (buffer is { } b && b.ByteLength >= bytes) return b;
        if (_device.DefaultStream.IsCapturing)
            throw new GpuLaunchException($"QuantizedLinear needs {bytes} bytes of {what} while the stream is capturing a graph; call Reserve with the largest shapes before capture");
        // Earlier launches, and graphs captured before, may still read the old workspace: keep it until dispose.
        if (buffer is { } old) _retired.Add(old);
        buffer = null;
        buffer = _device.Allocate(Math.Max(bytes, 16));
        return buffer.Value;
    }

    public void Dispose()
    {
        _kernels.Dispose();
        foreach (var b in _uploads) _device.Free(b);
        _uploads.Clear();
        if (_partials is { } p) _device.Free(p);
        if (_scratch is { } s) _device.Free(s);
        foreach (var b in _retired) _device.Free(b);
        _retired.Clear();
        _partials = _scratch = null;
    }
}
