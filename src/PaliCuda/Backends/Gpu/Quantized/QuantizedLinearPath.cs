namespace PaliCuda.Backends.Gpu.Quantized;

/// <summary>How <see cref="QuantizedLinear.Forward"/> computes y = x·Wᵀ for a packed W.</summary>
public enum QuantizedLinearPath
{
    /// <summary>Weight-only GEMV kernels that dequantize in registers (decode: few tokens, memory-bound).</summary>
    Gemv,
    /// <summary>Dequantize W into a bf16 scratch [N, K], then the bf16 GEMM of <see cref="Devices.IDeviceBlas"/> (prefill).</summary>
    DequantizeGemm,
}
