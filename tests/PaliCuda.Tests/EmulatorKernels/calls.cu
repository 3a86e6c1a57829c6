// Device-function calls (parameters, return values, a ret on a divergent path, nested calls, a callee with
// its own local array) and libdevice sinf/cosf, whose large-argument path uses a local-memory depot.
extern "C" __global__ void trig(const float* x, float* s, float* c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) { s[i] = sinf(x[i]); c[i] = cosf(x[i]); }
}

__device__ __noinline__ float scaled(float a, int b) { return a * 2.0f + (float)b; }
__device__ __noinline__ void split(float a, float* o) { o[0] = a; o[1] = -a; }
__device__ __noinline__ int clampedSquare(int v, int limit) {
  if (v > limit) return limit;  // a return taken by some lanes only
  return v * v;
}
__device__ __noinline__ int digitSum(int v) {
  int digits[12];  // the callee's own local depot
  int n = 0;
  do { digits[n++] = v % 10; v /= 10; } while (v > 0 && n < 12);
  int s = 0;
  for (int k = 0; k < n; k++) s += digits[k] * (k + 1);
  return s + clampedSquare(n, 3);  // a nested call
}

extern "C" __global__ void calls(const float* x, float* y, int* z) {
  int i = threadIdx.x;
  float p[2];
  split(x[i], p);
  y[i] = scaled(p[0], i) + scaled(p[1], 3);
  z[i] = clampedSquare(i, 20) + digitSum(i * 7919);
}
