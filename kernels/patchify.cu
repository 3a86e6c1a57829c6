// patchify.cu - im2col for SigLIP's stride = kernel patch convolution.
//
//   pixels [C, H, W] -> y [patches, C * P * P], patch n at grid cell (n / (W / P), n % (W / P)),
//   y[n, (c * P + ky) * P + kx] = pixels[c, py0 + ky, px0 + kx]
// The pixel input may be fp32 or bf16 (dtype code), y is bf16.
// Launch: grid = patches, block = min(1024, round_up_32(C * P * P)).
#include "common.cuh"

namespace palicuda_patchify {
using namespace palicuda;

__device__ __forceinline__ void patchify(bf16* y, const void* pixels, int pixel_dtype, int channels, int height, int width, int patch) {
    const int n = blockIdx.x, per_row = width / patch;
    const int py0 = n / per_row * patch, px0 = n % per_row * patch;
    const int cols = channels * patch * patch;
    for (int k = threadIdx.x; k < cols; k += blockDim.x) {
        const int c = k / (patch * patch), r = k - c * patch * patch, ky = r / patch, kx = r - ky * patch;
        const long long src = ((long long)c * height + py0 + ky) * width + px0 + kx;
        y[(long long)n * cols + k] = to_bf16(load_any(pixels, pixel_dtype, src));
    }
}

}  // namespace palicuda_patchify

extern "C" __global__ void palicuda_patchify_bf16(palicuda::bf16* y, const void* pixels, int pixel_dtype, int channels, int height, int width,
                                             int patch) {
    palicuda_patchify::patchify(y, pixels, pixel_dtype, channels, height, width, patch);
}
