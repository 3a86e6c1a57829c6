// rope.cu - rotary position embedding, rotate_half convention, on x [tokens, heads * head_dim].
//
//   p = positions[t] + position_offset        (PaliGemma: offset 1, positions are 1-based)
//   inv_freq_i = 1 / theta^(2i / head_dim),  a = p * inv_freq_i      (fp32, as HF computes them; a is reduced
//   to [-pi, pi] in double before the sine and cosine)
//   y[h, i]        = x[h, i] cos a - x[h, i + half] sin a              i < half = head_dim / 2
//   y[h, i + half] = x[h, i + half] cos a + x[h, i] sin a
// Storage bf16, arithmetic fp32; y may alias x (each pair is read before it is written by the same thread).
// Launch: grid = tokens, block = min(1024, round_up_32(heads * half)); threads loop over (head, i) pairs.
#include "common.cuh"

namespace palicuda_rope {
using namespace palicuda;

__device__ __forceinline__ void rope(bf16* y, const bf16* x, const int* positions, int position_offset, int heads,
                                     int head_dim, float theta) {
    const int t = blockIdx.x, half = head_dim >> 1;
    const float p = (float)(positions[t] + position_offset);
    const long long row = (long long)t * heads * head_dim;
    for (int k = threadIdx.x; k < heads * half; k += blockDim.x) {
        const int h = k / half, i = k - h * half;
        const float inv_freq = 1.0f / powf(theta, (float)(2 * i) / (float)head_dim);
        const float a = p * inv_freq;
        // Reduce the fp32 angle exactly enough in double (|a| < 2^24, so k * 2pi carries < 2^-28 rad of error),
        // then the hardware sin/cos on [-pi, pi] (absolute error ~2^-21, far below bf16's 2^-8). This also avoids
        // sinf/cosf's large-argument path and its local-memory scratch.
        const double two_pi = 6.283185307179586;
        const float r = (float)((double)a - rint((double)a / two_pi) * two_pi);
        const float c = __cosf(r), s = __sinf(r);
        const long long lo = row + (long long)h * head_dim + i, hi = lo + half;
        const float xl = to_float(x[lo]), xh = to_float(x[hi]);
        y[lo] = to_bf16(xl * c - xh * s);
        y[hi] = to_bf16(xh * c + xl * s);
    }
}

}  // namespace palicuda_rope

extern "C" __global__ void palicuda_rope_bf16(palicuda::bf16* y, const palicuda::bf16* x, const int* positions, int position_offset,
                                              int heads, int head_dim, float theta) {
    palicuda_rope::rope(y, x, positions, position_offset, heads, head_dim, theta);
}
