// attention.cuh - pieces shared by the attention kernels: the mask rule, key addressing and the
// per-warp online-softmax accumulation over a range of keys.
//
// Semantics (PaliCuda.Graph.AttentionParams / AttentionMaskSpec): per head h with kv head
// g = h / (heads / kv_heads), s_j = (q . k_j) * scale; with a soft cap c > 0, s_j = c tanh(s_j / c) BEFORE
// masking; invisible keys get probability 0; out = sum_j softmax(s)_j v_j, all in fp32.
// One warp owns one (query, head) row: lane l holds head dimensions l, l + 32, ... (DPL = ceil(head_dim / 32)
// of them), so every head size up to 256 (16, 32, 72, 128, 256, ...) is served by one template per DPL.
#pragma once
#include "common.cuh"

namespace palicuda_attention {
using namespace palicuda;

enum MaskKind : int { kBidirectional = 0, kPrefixCausal = 1 };
enum WindowSemantics : int { kWindowAlways = 0, kWindowOrPrefix = 1, kWindowNone = 2 };
enum Layout : int { kTokenMajor = 0, kHeadMajorCache = 1 };

struct Mask {
    int kind, window, semantics;

    // AttentionMaskSpec.IsVisible, term for term.
    __device__ __forceinline__ bool visible(int query, int key, int prefix) const {
        if (kind == kBidirectional) return true;
        const bool base = key < prefix || key <= query;
        if (!base || window <= 0) return base;
        const bool in_window = key > query - window;
        if (semantics == kWindowAlways) return in_window;
        if (semantics == kWindowOrPrefix) return in_window || (query < prefix && key < prefix);
        return true;
    }

    // No key below this index is visible (a cheap lower bound; visible() still decides each key).
    __device__ __forceinline__ int first_key(int query, int prefix) const {
        if (kind == kBidirectional || window <= 0 || semantics == kWindowNone) return 0;
        if (semantics == kWindowOrPrefix && query < prefix) return 0;
        return max(0, query - window + 1);
    }
};

struct Keys {
    const bf16* k;
    const bf16* v;
    int layout, kv_heads, capacity, head_dim;

    __device__ __forceinline__ long long row(int key, int g) const {
        return layout == kHeadMajorCache ? ((long long)g * capacity + key) * head_dim
                                         : ((long long)key * kv_heads + g) * head_dim;
    }
};

// Running softmax state of one warp row: max m, normaliser l, unnormalised output acc.
template <int DPL>
struct RowState {
    float m, l, acc[DPL];

    __device__ __forceinline__ void reset() {
        m = -INFINITY;
        l = 0.0f;
#pragma unroll
        for (int i = 0; i < DPL; ++i) acc[i] = 0.0f;
    }
};

// Accumulates keys [lo, hi) visible to `query` into st. q holds this lane's query dimensions in fp32.
template <int DPL>
__device__ __forceinline__ void attend(RowState<DPL>& st, const float (&q)[DPL], const Keys& keys, int g, int lo, int hi, int query,
                                       int prefix, const Mask& mask, float scale, float softcap) {
    const int lane = threadIdx.x & 31;
    for (int j = lo; j < hi; ++j) {
        if (!mask.visible(query, j, prefix)) continue;
        const long long r = keys.row(j, g);
        float part = 0.0f;
#pragma unroll
        for (int i = 0; i < DPL; ++i) {
            const int d = lane + 32 * i;
            if (d < keys.head_dim) part = fmaf(q[i], to_float(keys.k[r + d]), part);
        }
        float s = warp_sum(part) * scale;
        if (softcap > 0.0f) s = softcap * tanhf(s / softcap);
        const float m_new = fmaxf(st.m, s);
        const float corr = expf(st.m - m_new);  // exp(-inf) = 0 on the first key
        const float p = expf(s - m_new);
        st.l = st.l * corr + p;
#pragma unroll
        for (int i = 0; i < DPL; ++i) {
            const int d = lane + 32 * i;
            const float vv = d < keys.head_dim ? to_float(keys.v[r + d]) : 0.0f;
            st.acc[i] = fmaf(p, vv, st.acc[i] * corr);
        }
        st.m = m_new;
    }
}

// Calls f(Dpl<N>{}) with N = ceil(head_dim / 32), the head dimensions each lane holds (8 for anything above 224;
// the host launchers refuse head_dim > 256), so a kernel picks its DPL template once, at run time.
template <int N>
struct Dpl {
    static constexpr int value = N;
};

template <class F>
__device__ __forceinline__ void with_dpl(int head_dim, F&& f) {
    switch ((head_dim + 31) >> 5) {
        case 1: f(Dpl<1>{}); break;
        case 2: f(Dpl<2>{}); break;
        case 3: f(Dpl<3>{}); break;
        case 4: f(Dpl<4>{}); break;
        case 5: f(Dpl<5>{}); break;
        case 6: f(Dpl<6>{}); break;
        case 7: f(Dpl<7>{}); break;
        default: f(Dpl<8>{}); break;
    }
}

template <int DPL>
__device__ __forceinline__ void load_query(float (&q)[DPL], const bf16* row, int head_dim) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        const int d = lane + 32 * i;
        q[i] = d < head_dim ? to_float(row[d]) : 0.0f;
    }
}

// Writes acc / l (NaN when no key was visible) as bf16.
template <int DPL>
__device__ __forceinline__ void store_row(bf16* out, const RowState<DPL>& st, int head_dim) {
    const int lane = threadIdx.x & 31;
    const float inv = st.l > 0.0f ? 1.0f / st.l : quiet_nan();
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        const int d = lane + 32 * i;
        if (d < head_dim) out[d] = to_bf16(st.acc[i] * inv);
    }
}

template <int DPL>
__device__ __forceinline__ void store_nan_row(bf16* out, int head_dim) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        const int d = lane + 32 * i;
        if (d < head_dim) out[d] = to_bf16(quiet_nan());
    }
}

}  // namespace palicuda_attention
