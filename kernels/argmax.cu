// argmax.cu - greedy token choice, optionally fused with Gemma 2's final-logit soft cap.
//
//   argmax:          ids[r] = first index of max_{c < limit} x[r, c]
//   softcap_argmax:  z[r, c] = cap * tanh(x[r, c] / cap) (fp32; written to capped when it is not null,
//                    for every c < cols); ids[r] = first index of max_{c < limit} z[r, c]
// The comparison uses the capped fp32 values, so ties that tanh's rounding creates resolve to the
// lower index exactly as an argmax over the stored capped logits would. Ids >= limit are never produced.
// NaN never wins, as with the CPU reference's `>`. x is fp32 or bf16 (dtype code).
// Launch: grid = rows, block = 256 (multiple of 32, at most 1024).
#include "common.cuh"

namespace palicuda_argmax {
using namespace palicuda;

// Keeps the larger value, the lower index on equal values.
__device__ __forceinline__ void better(float& v, int& i, float ov, int oi) {
    if (ov > v || (ov == v && oi < i)) { v = ov; i = oi; }
}

__device__ __forceinline__ int block_argmax(float v, int i) {
    __shared__ float sv[32];
    __shared__ int si[32];
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) better(v, i, __shfl_xor_sync(0xffffffffu, v, o), __shfl_xor_sync(0xffffffffu, i, o));
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    if (lane == 0) { sv[warp] = v; si[warp] = i; }
    __syncthreads();
    v = lane < warps ? sv[lane] : -INFINITY;
    i = lane < warps ? si[lane] : 0x7fffffff;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) better(v, i, __shfl_xor_sync(0xffffffffu, v, o), __shfl_xor_sync(0xffffffffu, i, o));
    return i;
}

__device__ __forceinline__ void argmax(int* ids, float* capped, const void* x, int x_dtype, int cols, int limit, float cap) {
    const long long row = (long long)blockIdx.x * cols;
    float best = -INFINITY;
    int best_i = 0x7fffffff;
    const int end = capped != nullptr ? cols : limit;
    for (int c = threadIdx.x; c < end; c += blockDim.x) {
        float v = load_any(x, x_dtype, row + c);
        if (cap > 0.0f) v = cap * tanhf(v / cap);
        if (capped != nullptr) capped[row + c] = v;
        if (c < limit && v > best) { best = v; best_i = c; }
    }
    const int winner = block_argmax(best, best_i);
    // The reference scan starts from index 0 and only moves on a strictly greater value: a NaN first
    // logit, or a row with nothing above -inf, keeps index 0.
    if (threadIdx.x == 0) {
        const float first = load_any(x, x_dtype, row);
        ids[blockIdx.x] = (first != first || winner == 0x7fffffff) ? 0 : winner;
    }
}

}  // namespace palicuda_argmax

extern "C" __global__ void palicuda_argmax_rows(int* ids, const void* x, int x_dtype, int cols, int limit) {
    palicuda_argmax::argmax(ids, nullptr, x, x_dtype, cols, limit, 0.0f);
}

extern "C" __global__ void palicuda_softcap_argmax(int* ids, float* capped, const void* x, int x_dtype, int cols, int limit, float cap) {
    palicuda_argmax::argmax(ids, capped, x, x_dtype, cols, limit, cap);
}
