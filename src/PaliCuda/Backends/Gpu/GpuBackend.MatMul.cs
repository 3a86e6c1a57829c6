using System.Runtime.InteropServices;
using PaliCuda.Backends.Gpu.Fusion;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Devices;
using PaliCuda.Graph;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu;

/// <summary>Matrix products: cuBLAS-semantics GEMMs on bf16 weights, <see cref="QuantizedLinear"/> on packed ones.</summary>
public sealed partial class GpuBackend
{
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
}
