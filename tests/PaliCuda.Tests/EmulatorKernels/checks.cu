// Kernels for the race, write-conflict and approximation checks.
// mode 0: barrier between the update and the read of another warp's element (correct);
// mode 1: no barrier (a race between warps); mode 2: no barrier but the neighbour is in the same warp.
extern "C" __global__ void shared_exchange(int* out, int mode) {
  __shared__ int s[64];
  int t = threadIdx.x;
  s[t] = t;
  __syncthreads();
  s[t] += 100;
  if (mode == 0) __syncthreads();
  int other = mode == 2 ? (t ^ 1) : (t + 32) % 64;
  out[t] = s[other];
}
// Every block writes the same elements (a bug) or adds into them atomically (fine).
extern "C" __global__ void every_block_writes(int* out, int atomic) {
  if (atomic) atomicAdd(&out[threadIdx.x], (int)blockIdx.x);
  else out[threadIdx.x] = blockIdx.x;
}
// Each .approx instruction on the same input: out[i * 9 + k].
extern "C" __global__ void approx_ops(const float* x, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float a = x[i], r;
  float* o = out + i * 9;
  asm("ex2.approx.f32 %0, %1;" : "=f"(r) : "f"(a)); o[0] = r;
  asm("lg2.approx.f32 %0, %1;" : "=f"(r) : "f"(fabsf(a) + 0.25f)); o[1] = r;
  asm("sin.approx.f32 %0, %1;" : "=f"(r) : "f"(a)); o[2] = r;
  asm("cos.approx.f32 %0, %1;" : "=f"(r) : "f"(a)); o[3] = r;
  asm("rcp.approx.f32 %0, %1;" : "=f"(r) : "f"(a)); o[4] = r;
  asm("rsqrt.approx.f32 %0, %1;" : "=f"(r) : "f"(fabsf(a) + 0.25f)); o[5] = r;
  asm("tanh.approx.f32 %0, %1;" : "=f"(r) : "f"(a)); o[6] = r;
  asm("sqrt.approx.f32 %0, %1;" : "=f"(r) : "f"(fabsf(a))); o[7] = r;
  asm("div.approx.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(a + 3.5f)); o[8] = r;
}
// div.approx and div.full of a[i] by b[i]: out[i * 2 + 0] approx, out[i * 2 + 1] full.
extern "C" __global__ void approx_divides(const float* a, const float* b, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float r;
  asm("div.approx.f32 %0, %1, %2;" : "=f"(r) : "f"(a[i]), "f"(b[i])); out[i * 2] = r;
  asm("div.full.f32 %0, %1, %2;" : "=f"(r) : "f"(a[i]), "f"(b[i])); out[i * 2 + 1] = r;
}
