// kvcache.cu - writes new key/value rows into the head-major KV cache.
//
//   cache[h, positions[t], :] = source[t, h * head_dim : (h + 1) * head_dim]     for every kv head h
// A position outside [0, capacity) writes nothing (the attention kernels then see stale rows, so the
// launcher validates positions it can see). Storage bf16.
// Launch: grid = (tokens, kv_heads), block = min(256, round_up_32(head_dim)).
#include "common.cuh"

namespace palicuda_kvcache {
using namespace palicuda;

__device__ __forceinline__ void write(bf16* cache, const bf16* source, const int* positions, int kv_heads, int capacity, int head_dim) {
    const int t = blockIdx.x, h = blockIdx.y, p = positions[t];
    if ((unsigned)p >= (unsigned)capacity) return;
    const bf16* src = source + ((long long)t * kv_heads + h) * head_dim;
    bf16* dst = cache + ((long long)h * capacity + p) * head_dim;
    for (int c = threadIdx.x; c < head_dim; c += blockDim.x) dst[c] = src[c];
}

}  // namespace palicuda_kvcache

extern "C" __global__ void palicuda_kv_cache_write_bf16(palicuda::bf16* cache, const palicuda::bf16* source, const int* positions,
                                                        int kv_heads, int capacity, int head_dim) {
    palicuda_kvcache::write(cache, source, positions, kv_heads, capacity, head_dim);
}
