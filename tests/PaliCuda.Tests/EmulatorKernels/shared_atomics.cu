// Shared-memory tree reduction with barriers, plus global and shared atomics.
extern "C" __global__ void block_sum(const float* in, float* out) {
  __shared__ float s[256];
  int t = threadIdx.x;
  s[t] = in[blockIdx.x * blockDim.x + t];
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (t < stride) s[t] += s[t + stride];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = s[0];
}
extern "C" __global__ void atomics(const int* in, int* counters, float* fsum, unsigned* hist) {
  __shared__ int local_max;
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (threadIdx.x == 0) local_max = -2147483647 - 1;
  __syncthreads();
  int v = in[t];
  atomicAdd(&counters[0], v);
  atomicMax(&counters[1], v);
  atomicMin(&counters[2], v);
  atomicMax(&local_max, v);
  atomicAdd(fsum, (float)v * 0.5f);
  atomicAdd(&hist[v & 7], 1u);
  atomicCAS(&counters[3], 0, t + 1);
  atomicExch(&counters[4], 7);
  __syncthreads();
  if (threadIdx.x == 0) atomicAdd(&counters[5], local_max);
}
