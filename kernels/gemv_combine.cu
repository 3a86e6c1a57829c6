// gemv_combine.cu - second pass of a split-K quantized GEMV (gemv_quantized.cuh): y[m, n] = sum over s of
// partial[(s * M + m) * N + n], added in split order so the result does not depend on scheduling, plus bias[n]
// (bf16, optional: null), rounded once into y (out_dtype: 0 = fp32, 1 = bf16).
// Launch: grid = ceil(M * N / 256), block = 256.
#include "common.cuh"

extern "C" __global__ void palicuda_gemv_combine(void* y, const float* partial, const palicuda::bf16* bias, int M, int N,
                                                 int splits, int out_dtype) {
    const long long total = (long long)M * N;
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) return;
    float v = 0.0f;
    for (int s = 0; s < splits; ++s) v += partial[s * total + i];
    if (bias) v += palicuda::to_float(bias[i % N]);
    palicuda::store_any(y, out_dtype, i, v);
}
