// gemv_int8.cu - decode GEMV with int8 weights (one fp32 scale per output row), bf16 activations, fp32 accumulation.
// Algorithm, launch shape, bytes per call and requirements: gemv_quantized.cuh.
//   palicuda_gemv_int8_m1: exactly one token (M = 1), the decode step.
//   palicuda_gemv_int8_m8: 1 <= M <= 8 tokens; the weights are dequantized once per step for all tokens.
#include "gemv_quantized.cuh"

extern "C" __global__ void __launch_bounds__(palicuda_qgemv::kWarps * 32)
palicuda_gemv_int8_m1(void* y, float* partial, const palicuda::bf16* x, const unsigned char* q, const float* scales,
                      const palicuda::bf16* bias, int M, int N, int K, int splits, int out_dtype) {
    palicuda_qgemv::gemv_bytes<palicuda_qgemv::Int8Decode, 1>(y, partial, x, q, scales, bias, M, N, K, splits, out_dtype);
}

extern "C" __global__ void __launch_bounds__(palicuda_qgemv::kWarps * 32)
palicuda_gemv_int8_m8(void* y, float* partial, const palicuda::bf16* x, const unsigned char* q, const float* scales,
                      const palicuda::bf16* bias, int M, int N, int K, int splits, int out_dtype) {
    palicuda_qgemv::gemv_bytes<palicuda_qgemv::Int8Decode, palicuda_qgemv::kMaxTokens>(y, partial, x, q, scales, bias, M, N,
                                                                                      K, splits, out_dtype);
}
