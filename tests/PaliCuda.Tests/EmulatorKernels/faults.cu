// Kernels with planted bugs; each must be caught by the emulator's checks.
extern "C" __global__ void write_past_end(float* a, int n) { a[threadIdx.x + n] = 1.0f; }
extern "C" __global__ void misaligned_vector(const char* p, float* out) {
  const float4* v = reinterpret_cast<const float4*>(p + 4);
  float4 x = v[threadIdx.x];
  out[threadIdx.x] = x.x + x.y + x.z + x.w;
}
extern "C" __global__ void read_uninitialised(const float* a, float* out) { out[threadIdx.x] = a[threadIdx.x] * 2.0f; }
extern "C" __global__ void divergent_barrier(float* out) {
  __shared__ float s[64];
  s[threadIdx.x] = threadIdx.x;
  if (threadIdx.x < 16) __syncthreads();
  out[threadIdx.x] = s[threadIdx.x];
}
extern "C" __global__ void shared_past_end(float* out, int i) {
  __shared__ float s[32];
  s[threadIdx.x] = 1.0f;
  __syncthreads();
  out[threadIdx.x] = s[threadIdx.x + i];
}
extern "C" __global__ void shuffle_bad_mask(int* out) {
  int v = threadIdx.x;
  if (threadIdx.x < 16) v = __shfl_down_sync(0xffffffffu, v, 1);
  out[threadIdx.x] = v;
}
