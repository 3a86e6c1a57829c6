// gelu.cu - GELU with the tanh approximation (torch gelu(approximate="tanh")), optionally after a bias.
//
//   gelu:       y[i] = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))        over n elements
//   bias_gelu:  y[r, c] = gelu(x[r, c] + bias[c])  (x + bias rounded to bf16 first, as an Add op would)
// Storage bf16, arithmetic fp32. Launch: 1-D grid-stride; grid = ceil(n / 8 / block) blocks (any count
// works), block = 256. Each thread handles 8 consecutive elements with 16-byte accesses when n (or cols)
// is a multiple of 8 and the pointers are 16-byte aligned.
#include "common.cuh"

namespace palicuda_gelu {
using namespace palicuda;

__device__ __forceinline__ void gelu(bf16* y, const bf16* x, long long n) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if ((n & 7) == 0 && ((reinterpret_cast<uintptr_t>(x) | reinterpret_cast<uintptr_t>(y)) & 15) == 0) {
        for (long long v = first; v < n / 8; v += stride) {
            float f[8];
            load8(x + 8 * v, f);
#pragma unroll
            for (int i = 0; i < 8; ++i) f[i] = gelu_tanh(f[i]);
            store8(y + 8 * v, f);
        }
    } else {
        for (long long i = first; i < n; i += stride) y[i] = to_bf16(gelu_tanh(to_float(x[i])));
    }
}

__device__ __forceinline__ void bias_gelu(bf16* y, const bf16* x, const bf16* bias, int rows, int cols) {
    const long long n = (long long)rows * cols;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float s = to_float(to_bf16(to_float(x[i]) + to_float(bias[i % cols])));
        y[i] = to_bf16(gelu_tanh(s));
    }
}

}  // namespace palicuda_gelu

extern "C" __global__ void palicuda_gelu_tanh_bf16(palicuda::bf16* y, const palicuda::bf16* x, long long n) {
    palicuda_gelu::gelu(y, x, n);
}

extern "C" __global__ void palicuda_bias_gelu_tanh_bf16(palicuda::bf16* y, const palicuda::bf16* x, const palicuda::bf16* bias,
                                                        int rows, int cols) {
    palicuda_gelu::bias_gelu(y, x, bias, rows, cols);
}
