// geglu.cu - Gemma's gated MLP core, from separate gate/up tensors or one fused gate|up GEMM output.
//
//   y[r, c] = gelu_tanh(gate[r, c]) * up[r, c]        r < rows, c < cols
// gate row r starts at gate + r * gate_stride and up row r at up + r * up_stride (elements). For the
// fused layout [rows, 2 * cols] = [gate | up], pass gate = gu, up = gu + cols, both strides 2 * cols.
// Storage bf16, arithmetic fp32 (the gelu result is not rounded before the product).
// Launch: grid = (ceil(cols / 8 / block), rows), block = 128; each thread handles 8 consecutive columns
// with 16-byte accesses when cols and both strides are multiples of 8 and the pointers 16-byte aligned.
#include "common.cuh"

namespace palicuda_geglu {
using namespace palicuda;

__device__ __forceinline__ void geglu(bf16* y, const bf16* gate, const bf16* up, int cols, int gate_stride, int up_stride) {
    const int r = blockIdx.y;
    const bf16* g = gate + (long long)r * gate_stride;
    const bf16* u = up + (long long)r * up_stride;
    bf16* out = y + (long long)r * cols;
    const int c8 = blockIdx.x * blockDim.x + threadIdx.x;
    if (vec8_ok(g, cols) && vec8_ok(u, cols) && vec8_ok(out, cols)) {
        if (c8 < cols / 8) {
            float a[8], b[8];
            load8(g + 8 * c8, a);
            load8(u + 8 * c8, b);
#pragma unroll
            for (int i = 0; i < 8; ++i) a[i] = gelu_tanh(a[i]) * b[i];
            store8(out + 8 * c8, a);
        }
    } else {
        for (int c = 8 * c8; c < min(cols, 8 * c8 + 8); ++c) out[c] = to_bf16(gelu_tanh(to_float(g[c])) * to_float(u[c]));
    }
}

}  // namespace palicuda_geglu

extern "C" __global__ void palicuda_geglu_bf16(palicuda::bf16* y, const palicuda::bf16* gate, const palicuda::bf16* up,
                                               int cols, int gate_stride, int up_stride) {
    palicuda_geglu::geglu(y, gate, up, cols, gate_stride, up_stride);
}
