// attention_decode.cu - attention of few queries over the KV cache, split over the key length
// (flash-decoding), then a combine kernel.
//
// Formula and validity rules: as attention_prefill.cu (KV-cache layout only). Keys [lo, hi) of a row are cut
// into `splits` chunks of ceil((hi - lo) / splits) keys; split s accumulates its chunk with an online softmax
// and writes (m_s, l_s, acc_s[head_dim]) in fp32 to partial[(row * splits + s) * (head_dim + 2)]. The combine
// step: M = max_s m_s, l = sum_s l_s e^(m_s - M), out = sum_s acc_s e^(m_s - M) / l (NaN when l = 0 or the
// row was invalid, marked by m = NaN).
// Launch split:   grid = (queries * heads, splits), block = 32 (one warp).
// Launch combine: grid = queries * heads, block = 32.
#include "attention.cuh"

namespace palicuda_attention {

template <int DPL>
__device__ __forceinline__ void decode_split(float* partial, const bf16* q, const Keys& keys, const int* positions,
                                             const int* prefix_length, int heads, int splits, float scale, float softcap,
                                             const Mask& mask) {
    const int row = blockIdx.x, s = blockIdx.y, lane = threadIdx.x & 31;
    const int t = row / heads, h = row - t * heads, g = h / (heads / keys.kv_heads), hd = keys.head_dim;
    float* out = partial + ((long long)row * splits + s) * (hd + 2);
    const int qp = positions[t];
    const int prefix = *prefix_length;
    if ((unsigned)qp >= (unsigned)keys.capacity || prefix <= 0 || prefix > keys.capacity) {
        if (lane == 0) { out[0] = quiet_nan(); out[1] = 0.0f; }
        return;
    }
    const int lo = mask.first_key(qp, prefix), hi = min(keys.capacity, max(prefix, qp + 1));
    const int chunk = (hi - lo + splits - 1) / splits;
    const int begin = lo + s * chunk, end = min(hi, begin + chunk);
    float qv[DPL];
    load_query<DPL>(qv, q + (long long)row * hd, hd);
    RowState<DPL> st;
    st.reset();
    if (begin < end) attend<DPL>(st, qv, keys, g, begin, end, qp, prefix, mask, scale, softcap);
    if (lane == 0) { out[0] = st.m; out[1] = st.l; }
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        const int d = lane + 32 * i;
        if (d < hd) out[2 + d] = st.acc[i];
    }
}

__device__ __forceinline__ void decode_combine(bf16* y, const float* partial, int splits, int head_dim) {
    const int row = blockIdx.x;
    const float* p = partial + (long long)row * splits * (head_dim + 2);
    float m = -INFINITY;
    bool invalid = false;
    for (int s = 0; s < splits; ++s) {
        const float ms = p[s * (head_dim + 2)];
        invalid |= ms != ms;
        m = fmaxf(m, ms);
    }
    float l = 0.0f;
    for (int s = 0; s < splits; ++s) {
        const float* ps = p + s * (head_dim + 2);
        if (ps[1] > 0.0f) l += ps[1] * expf(ps[0] - m);
    }
    const float inv = (invalid || !(l > 0.0f)) ? quiet_nan() : 1.0f / l;
    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) {
        float acc = 0.0f;
        for (int s = 0; s < splits; ++s) {
            const float* ps = p + s * (head_dim + 2);
            if (ps[1] > 0.0f) acc = fmaf(ps[2 + d], expf(ps[0] - m), acc);
        }
        y[(long long)row * head_dim + d] = to_bf16(acc * inv);
    }
}

__device__ __forceinline__ void decode_split_any(float* partial, const bf16* q, const bf16* k, const bf16* v, const int* positions,
                                                 const int* prefix_length, int heads, int kv_heads, int head_dim, int capacity,
                                                 int splits, float scale, float softcap, int mask_kind, int window, int semantics) {
    const Keys keys{k, v, kHeadMajorCache, kv_heads, capacity, head_dim};
    const Mask mask{mask_kind, window, semantics};
    with_dpl(head_dim, [&](auto dpl) {
        decode_split<decltype(dpl)::value>(partial, q, keys, positions, prefix_length, heads, splits, scale, softcap, mask);
    });
}

}  // namespace palicuda_attention

extern "C" __global__ void palicuda_attention_decode_split(
    float* partial, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int heads, int kv_heads, int head_dim, int capacity, int splits, float scale, float softcap,
    int mask_kind, int window, int window_semantics) {
    palicuda_attention::decode_split_any(partial, q, k, v, positions, prefix_length, heads, kv_heads, head_dim, capacity, splits,
                                         scale, softcap, mask_kind, window, window_semantics);
}

extern "C" __global__ void palicuda_attention_decode_combine(palicuda::bf16* y, const float* partial, int splits, int head_dim) {
    palicuda_attention::decode_combine(y, partial, splits, head_dim);
}
