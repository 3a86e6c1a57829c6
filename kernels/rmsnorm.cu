// rmsnorm.cu - Gemma RMSNorm, and the fused sandwich-norm step.
//
//   rmsnorm:      y[r, i] = x[r, i] * 1/sqrt(mean_i(x[r, i]^2) + eps) * (1 + w[i])
//   add_rmsnorm:  h[r, :] = res[r, :] + rmsnorm(branch[r, :], w_post)     (Gemma 2 post-norm + residual)
//                 y[r, :] = rmsnorm(h[r, :], w_pre)                        (next block's pre-norm)
//                 h is rounded to bf16 once and y is normalised from that rounded value, exactly as two
//                 separate ops would compute it.
// Storage bf16, statistics fp32. Launch: grid = rows, block = 32..1024 threads (multiple of 32),
// no dynamic shared memory. Rows whose length is a multiple of 8 at 16-byte aligned addresses use
// 16-byte accesses; others fall back to one element per access.
#include "common.cuh"

namespace palicuda_rmsnorm {
using namespace palicuda;

__device__ float row_sum_squares(const bf16* x, int cols, float* scratch) {
    float acc = 0.0f;
    if (vec8_ok(x, cols)) {
        for (int c = threadIdx.x; c < cols / 8; c += blockDim.x) {
            float f[8];
            load8(x + 8 * c, f);
#pragma unroll
            for (int i = 0; i < 8; ++i) acc = fmaf(f[i], f[i], acc);
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            const float f = to_float(x[c]);
            acc = fmaf(f, f, acc);
        }
    }
    return block_sum(acc, scratch);
}

__device__ void write_normalised(bf16* y, const bf16* x, const bf16* w, int cols, float inv) {
    if (vec8_ok(x, cols) && vec8_ok(y, cols) && vec8_ok(w, cols)) {
        for (int c = threadIdx.x; c < cols / 8; c += blockDim.x) {
            float f[8], g[8];
            load8(x + 8 * c, f);
            load8(w + 8 * c, g);
#pragma unroll
            for (int i = 0; i < 8; ++i) f[i] = f[i] * inv * (1.0f + g[i]);
            store8(y + 8 * c, f);
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x)
            y[c] = to_bf16(to_float(x[c]) * inv * (1.0f + to_float(w[c])));
    }
}

__device__ __forceinline__ float inverse_rms(float sum_squares, int cols, float eps) {
    return 1.0f / sqrtf(sum_squares / (float)cols + eps);
}

__device__ __forceinline__ void rmsnorm(bf16* y, const bf16* x, const bf16* w, int cols, float eps) {
    __shared__ float scratch[32];
    const long long off = (long long)blockIdx.x * cols;
    const float ss = row_sum_squares(x + off, cols, scratch);
    write_normalised(y + off, x + off, w, cols, inverse_rms(ss, cols, eps));
}

__device__ __forceinline__ void add_rmsnorm(bf16* h, bf16* y, const bf16* res, const bf16* branch, const bf16* w_post,
                            const bf16* w_pre, int cols, float eps) {
    __shared__ float scratch[32];
    const long long off = (long long)blockIdx.x * cols;
    const float inv_post = inverse_rms(row_sum_squares(branch + off, cols, scratch), cols, eps);
    // h = res + normalised branch; each thread later re-reads only the elements it wrote itself.
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float normed = to_float(to_bf16(to_float(branch[off + c]) * inv_post * (1.0f + to_float(w_post[c]))));
        h[off + c] = to_bf16(to_float(res[off + c]) + normed);
    }
    __syncthreads();
    const float inv_pre = inverse_rms(row_sum_squares(h + off, cols, scratch), cols, eps);
    write_normalised(y + off, h + off, w_pre, cols, inv_pre);
}

}  // namespace palicuda_rmsnorm

extern "C" __global__ void palicuda_rmsnorm_bf16(palicuda::bf16* y, const palicuda::bf16* x, const palicuda::bf16* w,
                                                 int cols, float eps) {
    palicuda_rmsnorm::rmsnorm(y, x, w, cols, eps);
}

extern "C" __global__ void palicuda_add_rmsnorm_bf16(palicuda::bf16* h, palicuda::bf16* y, const palicuda::bf16* res,
                                                     const palicuda::bf16* branch, const palicuda::bf16* w_post,
                                                     const palicuda::bf16* w_pre, int cols, float eps) {
    palicuda_rmsnorm::add_rmsnorm(h, y, res, branch, w_post, w_pre, cols, eps);
}
