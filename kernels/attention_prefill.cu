// attention_prefill.cu - attention of every query row, variant "reference".
//
// Formula: see attention.cuh. Per (query t, head h): query position qp = positions[t] (t when positions is
// null); prefix = *prefix_length (keys when null). Keys are [0, hi) with hi = min(capacity, max(prefix, qp + 1))
// for the KV-cache layout and all `capacity` keys for the token-major layout, filtered by the mask. Online
// softmax in fp32, no score matrix. A query position outside [0, capacity), a prefix outside (0, capacity] (cache
// layout), or a row that sees no key writes NaN, so an invalid run is visible instead of silently wrong.
// Launch: grid = ceil(queries * heads / warps_per_block), block = 32 * warps_per_block (128); warp w of block b
// handles row b * warps_per_block + w = t * heads + h.
#include "attention.cuh"

namespace palicuda_attention {

template <int DPL>
__device__ __forceinline__ void prefill(bf16* y, const bf16* q, const Keys& keys, const int* positions, const int* prefix_length,
                                        int queries, int heads, float scale, float softcap, const Mask& mask) {
    const int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= queries * heads) return;
    const int t = row / heads, h = row - t * heads, g = h / (heads / keys.kv_heads);
    const int hd = keys.head_dim;
    bf16* out = y + (long long)row * hd;
    const bool cached = keys.layout == kHeadMajorCache;
    const int qp = positions != nullptr ? positions[t] : t;
    const int prefix = prefix_length != nullptr ? *prefix_length : keys.capacity;
    if ((unsigned)qp >= (unsigned)keys.capacity || (cached && (prefix <= 0 || prefix > keys.capacity))) {
        store_nan_row<DPL>(out, hd);
        return;
    }
    const int hi = cached ? min(keys.capacity, max(prefix, qp + 1)) : keys.capacity;
    float qv[DPL];
    load_query<DPL>(qv, q + (long long)row * hd, hd);
    RowState<DPL> st;
    st.reset();
    attend<DPL>(st, qv, keys, g, mask.first_key(qp, prefix), hi, qp, prefix, mask, scale, softcap);
    store_row<DPL>(out, st, hd);
}

__device__ __forceinline__ void prefill_any(bf16* y, const bf16* q, const bf16* k, const bf16* v, const int* positions,
                                            const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout,
                                            int capacity, float scale, float softcap, int mask_kind, int window, int semantics) {
    const Keys keys{k, v, layout, kv_heads, capacity, head_dim};
    const Mask mask{mask_kind, window, semantics};
    with_dpl(head_dim, [&](auto dpl) {
        prefill<decltype(dpl)::value>(y, q, keys, positions, prefix_length, queries, heads, scale, softcap, mask);
    });
}

}  // namespace palicuda_attention

extern "C" __global__ void palicuda_attention_prefill_reference(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::prefill_any(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout, capacity,
                                    scale, softcap, mask_kind, window, window_semantics);
}
