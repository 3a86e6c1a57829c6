// rope.cuh - the rotary-embedding rotation of one (head, i) pair, shared by rope.cu and qkv_rope_cache.cu.
//
//   inv_freq_i = 1 / theta^(2i / head_dim),  a = p * inv_freq_i      (fp32, as HF computes them; a is reduced
//   to [-pi, pi] in double before the sine and cosine)
//   lo' = lo cos a - hi sin a,   hi' = hi cos a + lo sin a
#pragma once
#include "common.cuh"

namespace palicuda {

__device__ __forceinline__ void rope_angle(float p, int i, int head_dim, float theta, float& c, float& s) {
    const float inv_freq = 1.0f / powf(theta, (float)(2 * i) / (float)head_dim);
    const float a = p * inv_freq;
    // Reduce the fp32 angle exactly enough in double (|a| < 2^24, so k * 2pi carries < 2^-28 rad of error),
    // then the hardware sin/cos on [-pi, pi] (absolute error ~2^-21, far below bf16's 2^-8). This also avoids
    // sinf/cosf's large-argument path and its local-memory scratch.
    const double two_pi = 6.283185307179586;
    const float r = (float)((double)a - rint((double)a / two_pi) * two_pi);
    c = __cosf(r);
    s = __sinf(r);
}

// Rotates the pair (src[lo], src[lo + half]) into (dst[lo], dst[lo + half]); dst may alias src.
__device__ __forceinline__ void rope_pair(bf16* dst, const bf16* src, int i, int half, float c, float s) {
    const float xl = to_float(src[i]), xh = to_float(src[i + half]);
    dst[i] = to_bf16(xl * c - xh * s);
    dst[i + half] = to_bf16(xh * c + xl * s);
}

}  // namespace palicuda
