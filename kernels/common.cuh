// common.cuh - helpers shared by the PaliCuda kernels.
//
// Storage is bf16 (__nv_bfloat16) or fp32; every reduction accumulates in fp32. Conversions to bf16
// round to nearest even (__float2bfloat16_rn), the same rule as PaliCuda.Numerics.BFloat16 on the host.
// A "row" kernel runs one block per row; block sizes are multiples of 32 and at most 1024.
#pragma once
#include <cuda_bf16.h>
#include <stdint.h>

namespace palicuda {

typedef __nv_bfloat16 bf16;

// Element type codes passed by the launchers for kernels that accept either storage type.
enum DType : int { kF32 = 0, kBF16 = 1 };

__device__ __forceinline__ float to_float(bf16 v) { return __bfloat162float(v); }
__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ bf16 to_bf16(float v) { return __float2bfloat16_rn(v); }

// Reads element i of a tensor whose storage type is chosen at run time.
__device__ __forceinline__ float load_any(const void* p, int dtype, long long i) {
    return dtype == kBF16 ? to_float(static_cast<const bf16*>(p)[i]) : static_cast<const float*>(p)[i];
}
__device__ __forceinline__ void store_any(void* p, int dtype, long long i, float v) {
    if (dtype == kBF16) static_cast<bf16*>(p)[i] = to_bf16(v);
    else static_cast<float*>(p)[i] = v;
}

// Eight bf16 values moved as one 16-byte access (p must be 16-byte aligned).
__device__ __forceinline__ void load8(const bf16* p, float* out) {
    const uint4 u = *reinterpret_cast<const uint4*>(p);
    const unsigned w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        out[2 * i] = __uint_as_float(w[i] << 16);
        out[2 * i + 1] = __uint_as_float(w[i] & 0xffff0000u);
    }
}
__device__ __forceinline__ unsigned pack2(float lo, float hi) {
    const unsigned short a = __bfloat16_as_ushort(to_bf16(lo)), b = __bfloat16_as_ushort(to_bf16(hi));
    return (unsigned)a | ((unsigned)b << 16);
}
__device__ __forceinline__ void store8(bf16* p, const float* in) {
    uint4 u;
    u.x = pack2(in[0], in[1]);
    u.y = pack2(in[2], in[3]);
    u.z = pack2(in[4], in[5]);
    u.w = pack2(in[6], in[7]);
    *reinterpret_cast<uint4*>(p) = u;
}

// True when a row of `cols` bf16 starting at p can be read with 16-byte accesses.
__device__ __forceinline__ bool vec8_ok(const void* p, int cols) {
    return (cols & 7) == 0 && (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block; every thread gets the result. `scratch` holds 32 floats of shared memory and
// may be reused after the call returns (the trailing barrier protects it).
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float total = lane < warps ? scratch[lane] : 0.0f;
    total = warp_sum(total);
    __syncthreads();
    return total;
}

// torch gelu(approximate="tanh") in fp32.
__device__ __forceinline__ float gelu_tanh(float x) {
    const float k = 0.7978845608028654f;  // sqrt(2/pi)
    return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

__device__ __forceinline__ float quiet_nan() { return __int_as_float(0x7fc00000); }

}  // namespace palicuda
