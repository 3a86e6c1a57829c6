// gemv_int4.cu - decode GEMV with int4 weights (groups of 128 along K, one bf16 scale per group; rows padded to
// Kp = ceil(K/128)*128 with q = 0), bf16 activations masked to 0 at k >= K, fp32 accumulation.
// Algorithm, launch shape, bytes per call and requirements: gemv_quantized.cuh.
//   palicuda_gemv_int4_m1: exactly one token (M = 1).   palicuda_gemv_int4_m8: 1 <= M <= 8 tokens.
#include "gemv_quantized.cuh"

extern "C" __global__ void __launch_bounds__(palicuda_qgemv::kWarps * 32)
palicuda_gemv_int4_m1(void* y, float* partial, const palicuda::bf16* x, const unsigned char* q,
                      const palicuda::bf16* scales, const palicuda::bf16* bias, int M, int N, int K, int splits,
                      int out_dtype) {
    palicuda_qgemv::gemv_int4<1>(y, partial, x, q, scales, bias, M, N, K, splits, out_dtype);
}

extern "C" __global__ void __launch_bounds__(palicuda_qgemv::kWarps * 32)
palicuda_gemv_int4_m8(void* y, float* partial, const palicuda::bf16* x, const unsigned char* q,
                      const palicuda::bf16* scales, const palicuda::bf16* bias, int M, int N, int K, int splits,
                      int out_dtype) {
    palicuda_qgemv::gemv_int4<palicuda_qgemv::kMaxTokens>(y, partial, x, q, scales, bias, M, N, K, splits, out_dtype);
}
