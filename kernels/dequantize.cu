// dequantize.cu - packed weights -> bf16 [N, K] row-major scratch, for the prefill path (many tokens: the
// dequantized matrix feeds the ordinary bf16 GEMM). Each value is scale * q computed in fp32 (exactly the CPU
// reference's float) and then rounded to bf16 once - the only difference from the reference weights.
// One thread per 8 consecutive elements of a row (one 32-bit int4 word, or 8 bytes of int8/fp8).
// Launch: grid = ceil(N * ceil(K/8) / 256), block = 256 (int8/fp8); int4 the same with Kp in place of K.
#include "gemv_quantized.cuh"

namespace palicuda_dequantize {
using namespace palicuda;

// Writes the elements [k0, min(k0 + 8, K)) of row r from their fp32 values.
__device__ __forceinline__ void write8(bf16* out, long long row_start, int k0, int K, const float* v) {
    if ((K & 7) == 0) {
        store8(out + row_start + k0, v);
    } else {
        for (int i = 0; i < 8 && k0 + i < K; ++i) out[row_start + k0 + i] = to_bf16(v[i]);
    }
}

template <class Decode>
__device__ __forceinline__ void bytes(bf16* out, const unsigned char* q, const float* scales, int N, int K) {
    const int per_row = (K + 7) >> 3;
    const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (long long)N * per_row) return;
    const int r = (int)(t / per_row), k0 = (int)(t - (long long)r * per_row) << 3;
    const long long start = (long long)r * K;
    const float s = scales[r];
    float v[8];
    if ((K & 7) == 0) {
        const uint2 w = *reinterpret_cast<const uint2*>(q + start + k0);
        Decode::word(w.x, v);
        Decode::word(w.y, v + 4);
    } else {
        for (int i = 0; i < 8; ++i) v[i] = k0 + i < K ? Decode::byte(q[start + k0 + i]) : 0.0f;
    }
#pragma unroll
    for (int i = 0; i < 8; ++i) v[i] = s * v[i];
    write8(out, start, k0, K, v);
}

__device__ __forceinline__ void int4(bf16* out, const unsigned char* q, const bf16* scales, int N, int K) {
    const int kp = (K + 127) & ~127, words = kp >> 3;
    const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (long long)N * words) return;
    const int r = (int)(t / words), b = (int)(t - (long long)r * words), k0 = b << 3;
    if (k0 >= K) return;  // padding only
    const float s = to_float(scales[(long long)r * (kp >> 7) + (k0 >> 7)]);
    float v[8];
    palicuda_qgemv::int4_word(reinterpret_cast<const unsigned*>(q + (long long)r * (kp >> 1))[b], v);
#pragma unroll
    for (int i = 0; i < 8; ++i) v[i] = s * v[i];
    write8(out, (long long)r * K, k0, K, v);
}

}  // namespace palicuda_dequantize

extern "C" __global__ void palicuda_dequantize_int8_bf16(palicuda::bf16* out, const unsigned char* q, const float* scales,
                                                         int N, int K) {
    palicuda_dequantize::bytes<palicuda_qgemv::Int8Decode>(out, q, scales, N, K);
}

extern "C" __global__ void palicuda_dequantize_fp8_bf16(palicuda::bf16* out, const unsigned char* q, const float* scales,
                                                        int N, int K) {
    palicuda_dequantize::bytes<palicuda_qgemv::Fp8Decode>(out, q, scales, N, K);
}

extern "C" __global__ void palicuda_dequantize_int4_bf16(palicuda::bf16* out, const unsigned char* q,
                                                         const palicuda::bf16* scales, int N, int K) {
    palicuda_dequantize::int4(out, q, scales, N, K);
}
