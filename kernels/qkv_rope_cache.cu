// qkv_rope_cache.cu - the step after Gemma's fused q|k|v projection: RoPE on q and k, k and v into the KV cache.
//
//   qkv[t, :] = [ q (heads * head_dim) | k (kv_heads * head_dim) | v (kv_heads * head_dim) ]
//   q_out[t, h, :]            = rope(q[t, h, :], p)                 p = positions[t] + position_offset
//   k_cache[g, positions[t], :] = rope(k[t, g, :], p)
//   v_cache[g, positions[t], :] = v[t, g, :]
// Equal to Rope(q), Rope(k), KvCacheWrite(k), KvCacheWrite(v) run on the three column blocks: the same rotation
// (rope.cuh) rounded once to bf16. A position outside [0, capacity) writes no cache row (the host validates
// positions before they reach the device). Storage bf16.
// Launch: grid = tokens, block = min(1024, round_up_32((heads + kv_heads) * head_dim / 2)); threads loop over the
// rotation pairs of q and k, then over the v elements.
#include "rope.cuh"

namespace palicuda_qkv_rope_cache {
using namespace palicuda;

__device__ __forceinline__ void qkv_rope_cache(bf16* q_out, bf16* k_cache, bf16* v_cache, const bf16* qkv, const int* positions,
                                               int position_offset, int heads, int kv_heads, int head_dim, int capacity, float theta) {
    const int t = blockIdx.x, half = head_dim >> 1, pos = positions[t];
    const bool in_cache = (unsigned)pos < (unsigned)capacity;
    const float p = (float)(pos + position_offset);
    const long long width = (long long)(heads + 2 * kv_heads) * head_dim;
    const bf16* row = qkv + t * width;
    for (int k = threadIdx.x; k < (heads + kv_heads) * half; k += blockDim.x) {
        const int h = k / half, i = k - h * half;
        float c, s;
        rope_angle(p, i, head_dim, theta, c, s);
        if (h < heads) {
            rope_pair(q_out + ((long long)t * heads + h) * head_dim, row + (long long)h * head_dim, i, half, c, s);
        } else if (in_cache) {
            const int g = h - heads;
            rope_pair(k_cache + ((long long)g * capacity + pos) * head_dim, row + (long long)h * head_dim, i, half, c, s);
        }
    }
    if (!in_cache) return;
    const bf16* v = row + (long long)(heads + kv_heads) * head_dim;
    for (int e = threadIdx.x; e < kv_heads * head_dim; e += blockDim.x) {
        const int g = e / head_dim, c = e - g * head_dim;
        v_cache[((long long)g * capacity + pos) * head_dim + c] = v[e];
    }
}

}  // namespace palicuda_qkv_rope_cache

extern "C" __global__ void palicuda_qkv_rope_cache_bf16(palicuda::bf16* q_out, palicuda::bf16* k_cache, palicuda::bf16* v_cache,
                                                        const palicuda::bf16* qkv, const int* positions, int position_offset,
                                                        int heads, int kv_heads, int head_dim, int capacity, float theta) {
    palicuda_qkv_rope_cache::qkv_rope_cache(q_out, k_cache, v_cache, qkv, positions, position_offset, heads, kv_heads, head_dim,
                                            capacity, theta);
}
