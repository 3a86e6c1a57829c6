// rope.cu - rotary position embedding, rotate_half convention, on x [tokens, heads * head_dim].
//
//   p = positions[t] + position_offset        (PaliGemma: offset 1, positions are 1-based)
//   a_i = p / theta^(2i / head_dim)                                   (see rope.cuh)
//   y[h, i]        = x[h, i] cos a - x[h, i + half] sin a              i < half = head_dim / 2
//   y[h, i + half] = x[h, i + half] cos a + x[h, i] sin a
// Storage bf16, arithmetic fp32; y may alias x (each pair is read before it is written by the same thread).
// Launch: grid = tokens, block = min(1024, round_up_32(heads * half)); threads loop over (head, i) pairs.
#include "rope.cuh"

namespace palicuda_rope {
using namespace palicuda;

__device__ __forceinline__ void rope(bf16* y, const bf16* x, const int* positions, int position_offset, int heads,
                                     int head_dim, float theta) {
    const int t = blockIdx.x, half = head_dim >> 1;
    const float p = (float)(positions[t] + position_offset);
    const long long row = (long long)t * heads * head_dim;
    for (int k = threadIdx.x; k < heads * half; k += blockDim.x) {
        const int h = k / half, i = k - h * half;
        float c, s;
        rope_angle(p, i, head_dim, theta, c, s);
        const long long head = row + (long long)h * head_dim;
        rope_pair(y + head, x + head, i, half, c, s);
    }
}

}  // namespace palicuda_rope

extern "C" __global__ void palicuda_rope_bf16(palicuda::bf16* y, const palicuda::bf16* x, const int* positions, int position_offset,
                                              int heads, int head_dim, float theta) {
    palicuda_rope::rope(y, x, positions, position_offset, heads, head_dim, theta);
}
