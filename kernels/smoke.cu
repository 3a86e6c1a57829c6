// smoke.cu - the build-plumbing smoke kernel.
//
// It exists so that the kernel build (nvcc -> PTX -> ptxas check -> embedded resource) and the
// launcher-table consistency tests have something small and obviously correct to work on, and so
// that the GPU check script can prove a module loads and launches on a real device.
//
// Layout convention for every kernel file: device functions and __global__ kernels first, the
// extern "C" entry points (the names the launcher table refers to) last.

namespace palicuda_smoke {

// y[i] = a * x[i] + y[i], one element per thread with a grid-stride loop so any launch shape
// covers any n.
__device__ __forceinline__ void axpy_body(float* __restrict__ y, const float* __restrict__ x,
                                          float a, int n) {
    const int stride = blockDim.x * gridDim.x;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = fmaf(a, x[i], y[i]);
    }
}

}  // namespace palicuda_smoke

extern "C" __global__ void palicuda_smoke_axpy(float* y, const float* x, float a, int n) {
    palicuda_smoke::axpy_body(y, x, a, n);
}
