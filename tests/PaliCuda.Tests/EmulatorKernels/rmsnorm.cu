// Block-reduction RMSNorm over bf16 rows: one block per row, warp shuffles then shared memory.
#include <cuda_bf16.h>
extern "C" __global__ void rmsnorm_bf16(const __nv_bfloat16* __restrict__ x, const __nv_bfloat16* __restrict__ w,
                                        __nv_bfloat16* __restrict__ y, int cols, float eps) {
  extern __shared__ float partial[];
  int row = blockIdx.x;
  const __nv_bfloat16* xr = x + (size_t)row * cols;
  float s = 0.f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) { float v = __bfloat162float(xr[c]); s = fmaf(v, v, s); }
  for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) partial[warp] = s;
  __syncthreads();
  if (warp == 0) {
    s = lane < (blockDim.x + 31) / 32 ? partial[lane] : 0.f;
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    if (lane == 0) partial[0] = rsqrtf(s / cols + eps);
  }
  __syncthreads();
  float r = partial[0];
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    float v = __bfloat162float(xr[c]) * r * (1.0f + __bfloat162float(w[c]));
    y[(size_t)row * cols + c] = __float2bfloat16(v);
  }
}
