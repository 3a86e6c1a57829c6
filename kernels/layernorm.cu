// layernorm.cu - SigLIP LayerNorm with bias (torch LayerNorm: biased variance).
//
//   mean = sum_i x[r, i] / cols;  var = sum_i (x[r, i] - mean)^2 / cols
//   y[r, i] = (x[r, i] - mean) * 1/sqrt(var + eps) * gamma[i] + beta[i]
// Two passes over the row (mean first, then the centred sum of squares) so the variance never suffers
// the cancellation of E[x^2] - mean^2. Storage bf16, statistics fp32.
// Launch: grid = rows, block = 32..1024 threads (multiple of 32), no dynamic shared memory.
#include "common.cuh"

namespace palicuda_layernorm {
using namespace palicuda;

__device__ __forceinline__ void layernorm(bf16* y, const bf16* x, const bf16* gamma, const bf16* beta, int cols, float eps) {
    __shared__ float scratch[32];
    const long long off = (long long)blockIdx.x * cols;
    x += off;
    y += off;
    const bool vec = vec8_ok(x, cols) && vec8_ok(y, cols) && vec8_ok(gamma, cols) && vec8_ok(beta, cols);
    float s = 0.0f;
    if (vec) {
        for (int c = threadIdx.x; c < cols / 8; c += blockDim.x) {
            float f[8];
            load8(x + 8 * c, f);
#pragma unroll
            for (int i = 0; i < 8; ++i) s += f[i];
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) s += to_float(x[c]);
    }
    const float mean = block_sum(s, scratch) / (float)cols;
    float q = 0.0f;
    if (vec) {
        for (int c = threadIdx.x; c < cols / 8; c += blockDim.x) {
            float f[8];
            load8(x + 8 * c, f);
#pragma unroll
            for (int i = 0; i < 8; ++i) q = fmaf(f[i] - mean, f[i] - mean, q);
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            const float d = to_float(x[c]) - mean;
            q = fmaf(d, d, q);
        }
    }
    const float inv = 1.0f / sqrtf(block_sum(q, scratch) / (float)cols + eps);
    if (vec) {
        for (int c = threadIdx.x; c < cols / 8; c += blockDim.x) {
            float f[8], g[8], b[8];
            load8(x + 8 * c, f);
            load8(gamma + 8 * c, g);
            load8(beta + 8 * c, b);
#pragma unroll
            for (int i = 0; i < 8; ++i) f[i] = fmaf((f[i] - mean) * inv, g[i], b[i]);
            store8(y + 8 * c, f);
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x)
            y[c] = to_bf16(fmaf((to_float(x[c]) - mean) * inv, to_float(gamma[c]), to_float(beta[c])));
    }
}

}  // namespace palicuda_layernorm

extern "C" __global__ void palicuda_layernorm_bf16(palicuda::bf16* y, const palicuda::bf16* x, const palicuda::bf16* gamma,
                                                   const palicuda::bf16* beta, int cols, float eps) {
    palicuda_layernorm::layernorm(y, x, gamma, beta, cols, eps);
}
