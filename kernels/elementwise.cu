// elementwise.cu - small elementwise ops.
//
//   add:          y[i] = a[i] + b[i]                         bf16, n elements
//   scale:        y[i] = x[i] * f   (divide = 0)              x, y each bf16 or fp32 (dtype codes in
//                 y[i] = x[i] / f   (divide = 1)              common.cuh); division stays a division
//   softcap:      y[i] = cap * tanh(x[i] / cap)               x, y each bf16 or fp32
//   broadcast_rows: y[r, c] = v[c]                            bf16 (seeds a GEMM's C with its bias, so the
//                 GEMM with beta = 1 adds the bias in fp32 before the one rounding of its output)
// Launch: 1-D grid-stride, block = 256, grid = ceil(n / block) capped by the launcher (any count works).
#include "common.cuh"

namespace palicuda_elementwise {
using namespace palicuda;

__device__ __forceinline__ long long first_index() { return (long long)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ long long grid_stride() { return (long long)gridDim.x * blockDim.x; }

__device__ __forceinline__ void add(bf16* y, const bf16* a, const bf16* b, long long n) {
    if ((n & 7) == 0 && ((reinterpret_cast<uintptr_t>(a) | reinterpret_cast<uintptr_t>(b) | reinterpret_cast<uintptr_t>(y)) & 15) == 0) {
        for (long long v = first_index(); v < n / 8; v += grid_stride()) {
            float p[8], q[8];
            load8(a + 8 * v, p);
            load8(b + 8 * v, q);
#pragma unroll
            for (int i = 0; i < 8; ++i) p[i] += q[i];
            store8(y + 8 * v, p);
        }
    } else {
        for (long long i = first_index(); i < n; i += grid_stride()) y[i] = to_bf16(to_float(a[i]) + to_float(b[i]));
    }
}

__device__ __forceinline__ void scale(void* y, int y_dtype, const void* x, int x_dtype, float f, int divide, long long n) {
    for (long long i = first_index(); i < n; i += grid_stride()) {
        const float v = load_any(x, x_dtype, i);
        store_any(y, y_dtype, i, divide ? v / f : v * f);
    }
}

__device__ __forceinline__ void softcap(void* y, int y_dtype, const void* x, int x_dtype, float cap, long long n) {
    for (long long i = first_index(); i < n; i += grid_stride())
        store_any(y, y_dtype, i, cap * tanhf(load_any(x, x_dtype, i) / cap));
}

__device__ __forceinline__ void broadcast_rows(bf16* y, const bf16* v, int rows, int cols) {
    const long long n = (long long)rows * cols;
    for (long long i = first_index(); i < n; i += grid_stride()) y[i] = v[i % cols];
}

}  // namespace palicuda_elementwise

extern "C" __global__ void palicuda_add_bf16(palicuda::bf16* y, const palicuda::bf16* a, const palicuda::bf16* b, long long n) {
    palicuda_elementwise::add(y, a, b, n);
}

extern "C" __global__ void palicuda_scale(void* y, int y_dtype, const void* x, int x_dtype, float factor, int divide, long long n) {
    palicuda_elementwise::scale(y, y_dtype, x, x_dtype, factor, divide, n);
}

extern "C" __global__ void palicuda_softcap(void* y, int y_dtype, const void* x, int x_dtype, float cap, long long n) {
    palicuda_elementwise::softcap(y, y_dtype, x, x_dtype, cap, n);
}

extern "C" __global__ void palicuda_broadcast_rows_bf16(palicuda::bf16* y, const palicuda::bf16* v, int rows, int cols) {
    palicuda_elementwise::broadcast_rows(y, v, rows, cols);
}
