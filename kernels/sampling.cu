// sampling.cu - one sampled token per row, optionally fused with Gemma 2's final-logit soft cap.
//
//   sample_rows:     ids[r] = the token drawn from z[r, 0:limit) (fp32 capped logits) with the controls of row r
//   softcap_sample:  z[r, c] = cap * tanh(x[r, c] / cap) (fp32, written to capped for every c < cols), then as above
//                    over the capped row it just wrote
//
// Controls (PaliCuda.Graph.SampleControls): F32 [rows, 4] in device memory = (u, T, k, p) per row, read at the start of
// the block. They are data, not launch arguments, so one captured graph samples with whatever the host wrote before the
// replay: a new u every step, a new T / top-k / top-p every generation. k is a float holding a whole number (exact up to
// 2^24; the host stores min(k, 2^24), which keeps every candidate as k does since limit <= 2^23).
// The host validates the parameters before writing them (SampleParameters.Validate); the kernel still maps every value to
// a defined draw, never faults and never writes an id >= limit: T <= 0 or NaN acts as T = 0 (only the ids whose logit
// equals the maximum have mass, so the draw takes one of them: the argmax, among equal maxima the one u picks);
// T = +inf gives every finite logit the same mass; k < 1, k >= limit or NaN is off, a fraction is truncated;
// p <= 0 or NaN keeps only the first id of the order (as the smallest positive p does); p >= 1 is off; u is clamped.
//
// Semantics (PaliCuda.Graph.TokenSampler is the definition and the CPU reference; this kernel gives the same bits):
// candidates are the non-NaN ids below limit, ordered by (z desc, id asc); top-k keeps the first k; every kept id has
// the integer mass W = floor(w * 2^40), w = sampling_exp((z - m) / T) in fp32 (w = 1 where z = m = max z); top-p keeps
// an id while the mass before it is < p * S (S = top-k mass); the draw takes the first kept id, in ascending id order,
// whose running mass exceeds t = floor(U * S' / 2^32), U = floor(u * 2^32). Masses are integers, so every sum is exact
// and the result does not depend on the order threads add in: the kernel is deterministic on every GPU.
//
// Method: one block of 1024 threads per row; thread i owns a contiguous chunk of ids (a multiple of 4 long, read with
// 16-byte loads when the row is aligned). Candidate ids map to order-preserving uint32 keys (0 = NaN, excluded).
// Top-k: radix select over the keys, 4 passes of 8 bits with a shared count histogram (the first pass rides on the
// pass that finds the maximum); ties at the threshold key keep the lowest ids (a block scan finds the cut id).
// Top-p: the same 4 passes over the top-k set with a count and a mass histogram, selecting on mass; these passes walk
// the row block-strided so each warp merges the lanes that hit one digit before its 64-bit shared atomic. Draw: a block-wide
// exclusive scan of the per-chunk kept mass finds the chunk holding t; its thread walks it. Passes that are off
// (k = 0 or k >= candidates, p = 1) are skipped: a branch on values every thread of the block read alike. Later passes
// re-read the capped row (L2-resident); no allocation, no host synchronisation.
// Launch: grid = rows, block = 1024.
#include "common.cuh"

namespace palicuda_sampling {
using namespace palicuda;

constexpr int kThreads = 1024;
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFull = 0xffffffffu;
constexpr float kMassScale = 1099511627776.0f;  // 2^40: TokenSampler.MassFractionBits
constexpr float kExpCutoff = -64.0f;            // TokenSampler.ExpCutoff

typedef unsigned long long u64;

struct Shared {
    unsigned count[256];
    u64 mass[256];
    u64 scan[kWarps];
    unsigned reduce[kWarps];
    u64 total;
    unsigned max_key;
    unsigned digit;
    u64 remaining;  // what the selected digit's bucket must still supply (ids for top-k, mass for top-p)
    int cut;
};

// Order-preserving key of a float: larger value, larger key; -0 and +0 equal; NaN -> 0 (no candidate).
__device__ __forceinline__ unsigned key_of(float z) {
    if (z != z) return 0u;
    const unsigned b = __float_as_uint(z == 0.0f ? 0.0f : z);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
__device__ __forceinline__ float value_of(unsigned key) {
    return __uint_as_float((key & 0x80000000u) ? (key & 0x7fffffffu) : ~key);
}

// e^x for x <= 0 from IEEE fp32 operations only, the same sequence as TokenSampler.Exp (so the same bits):
// x = k ln2 + r, k = rint(x log2 e), two-part ln2, e^r by its degree-7 Taylor polynomial, times 2^k.
__device__ __forceinline__ float sampling_exp(float x) {
    if (!(x >= kExpCutoff)) return 0.0f;
    const float k = rintf(__fmul_rn(x, 1.44269502f));
    float r = __fmaf_rn(-k, 0.693145752f, x);
    r = __fmaf_rn(-k, 1.42860677e-06f, r);
    float p = __fmaf_rn(r, 0.000198412701f, 0.00138888892f);
    p = __fmaf_rn(p, r, 0.00833333377f);
    p = __fmaf_rn(p, r, 0.0416666679f);
    p = __fmaf_rn(p, r, 0.166666672f);
    p = __fmaf_rn(p, r, 0.5f);
    p = __fmaf_rn(p, r, 1.0f);
    p = __fmaf_rn(p, r, 1.0f);
    return __fmul_rn(p, __int_as_float(((int)k + 127) << 23));
}

// W = floor(w * 2^40) with w = e^((z - m) / T), exactly 2^40 where z = m.
__device__ __forceinline__ u64 mass_of(float z, float m, float temperature) {
    const float w = z == m ? 1.0f : sampling_exp(__fdiv_rn(__fsub_rn(z, m), temperature));
    return __float2ull_rz(__fmul_rn(w, kMassScale));
}

// ceil(p * total), exactly (TokenSampler.Threshold): p = mantissa * 2^-shift, a 128-bit product shifted with rounding up.
__device__ __forceinline__ u64 ceil_times(float p, u64 total) {
    const unsigned bits = __float_as_uint(p);
    const int exponent = (bits >> 23) & 0xff;
    const u64 mantissa = (bits & 0x7fffffu) | (exponent != 0 ? 0x800000u : 0u);
    const int shift = exponent == 0 ? 149 : 150 - exponent;
    const u64 lo = mantissa * total, hi = __umul64hi(mantissa, total);
    if (lo == 0 && hi == 0) return 0;
    if (shift >= 128) return 1;
    if (shift >= 64) {
        const int s = shift - 64;
        return (hi >> s) + ((lo != 0 || (hi & ((1ull << s) - 1)) != 0) ? 1 : 0);
    }
    return ((hi << (64 - shift)) | (lo >> shift)) + ((lo & ((1ull << shift) - 1)) != 0 ? 1 : 0);
}

// t = floor(U * total / 2^32), U = floor(u * 2^32) with u clamped to [0, 1) (NaN as 0): always < total.
__device__ __forceinline__ u64 draw_point(float u, u64 total) {
    const unsigned U = u >= 1.0f ? 0xffffffffu : (u > 0.0f ? __float2uint_rz(__fmul_rn(u, 4294967296.0f)) : 0u);
    const u64 lo = (u64)U * total, hi = __umul64hi((u64)U, total);
    return (hi << 32) | (lo >> 32);
}

// Id c with key k is in the set {key > t} + {key == t, id <= cut}: a prefix of the (z desc, id asc) order.
__device__ __forceinline__ bool inside(int c, unsigned k, unsigned t, int cut) {
    return k > t || (k == t && c <= cut);
}

// Calls f(c, z[c]) for c in [lo, hi), with 16-byte loads when the row start is aligned (lo is a multiple of 4).
template <typename F>
__device__ __forceinline__ void for_chunk(const float* z, int lo, int hi, bool vec, F f) {
    int c = lo;
    if (vec)
        for (; c + 4 <= hi; c += 4) {
            const float4 v = *reinterpret_cast<const float4*>(z + c);
            f(c, v.x);
            f(c + 1, v.y);
            f(c + 2, v.z);
            f(c + 3, v.w);
        }
    for (; c < hi; ++c) f(c, z[c]);
}

// Exclusive prefix sum over the block in thread order; s.total receives the block sum. Ends with a barrier.
__device__ __forceinline__ u64 block_exclusive_scan(u64 v, Shared& s) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    u64 incl = v;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        const u64 n = __shfl_up_sync(kFull, incl, o);
        if (lane >= o) incl += n;
    }
    if (lane == 31) s.scan[warp] = incl;
    __syncthreads();
    if (warp == 0) {
        const u64 w = s.scan[lane];
        u64 winc = w;
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
            const u64 n = __shfl_up_sync(kFull, winc, o);
            if (lane >= o) winc += n;
        }
        s.scan[lane] = winc - w;
        if (lane == 31) s.total = winc;
    }
    __syncthreads();
    const u64 result = s.scan[warp] + incl - v;
    __syncthreads();
    return result;
}

__device__ __forceinline__ unsigned block_max(unsigned v, Shared& s) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(kFull, v, o));
    if (lane == 0) s.reduce[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = s.reduce[lane];
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(kFull, v, o));
        if (lane == 0) s.max_key = v;
    }
    __syncthreads();
    return s.max_key;
}

// Warp 0: lane l sums the digits 255 - 8l down to 248 - 8l of h (descending digit order). Returns the lane's sum and
// sets `before` to the sum of all higher digits and `total` to the whole histogram's sum.
template <typename T>
__device__ __forceinline__ u64 lane_digit_sums(const T* h, u64& before, u64& total) {
    const int lane = threadIdx.x & 31;
    u64 sum = 0;
#pragma unroll
    for (int i = 0; i < 8; ++i) sum += h[255 - 8 * lane - i];
    u64 incl = sum;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        const u64 n = __shfl_up_sync(kFull, incl, o);
        if (lane >= o) incl += n;
    }
    before = incl - sum;
    total = __shfl_sync(kFull, incl, 31);
    return sum;
}

// Warp 0: the digit d (searching 255 -> 0) at which the running sum of h first reaches target (1 <= target <= sum h);
// s.digit = d and s.remaining = target - (sum of the digits above d).
template <typename T>
__device__ __forceinline__ void select_digit(const T* h, u64 target, Shared& s) {
    const int lane = threadIdx.x & 31;
    u64 before, total;
    const u64 sum = lane_digit_sums(h, before, total);
    if (before < target && target <= before + sum) {
        u64 acc = before;
        for (int i = 0; i < 8; ++i) {
            const int d = 255 - 8 * lane - i;
            if (acc + h[d] >= target) {
                s.digit = d;
                s.remaining = target - acc;
                break;
            }
            acc += h[d];
        }
    }
}

// Warp-wide: adds each participating lane's w to s.mass[d] with one atomic per distinct d among the lanes. Every lane
// of the warp must call it (the shuffles name the full warp); lanes without a value pass has = false.
__device__ __forceinline__ void add_mass_by_digit(bool has, unsigned d, u64 w, Shared& s) {
    const int lane = threadIdx.x & 31;
    unsigned pending = __ballot_sync(kFull, has);
    while (pending != 0) {
        const int leader = __clz(__brev(pending));  // lowest pending lane (clz/brev: instructions the emulator runs)
        const unsigned digit = __shfl_sync(kFull, d, leader);
        const bool mine = has && d == digit;
        const unsigned group = __ballot_sync(kFull, mine);
        u64 sum = mine ? w : 0;
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(kFull, sum, o);
        if (lane == leader) atomicAdd(&s.mass[digit], sum);
        if (mine) has = false;
        pending &= ~group;
    }
}

__device__ __forceinline__ void clear_histograms(Shared& s) {
    for (int i = threadIdx.x; i < 256; i += blockDim.x) {
        s.count[i] = 0;
        s.mass[i] = 0;
    }
}

struct Row {
    const float* z;  // capped logits of this row
    int limit;       // ids below it are candidates
    int lo, hi;      // this thread's ids
    bool vec;
    float m, temperature;
};

// The id of the n-th (1-based, in id order) member of {inside(t0, cut0) and key == tau}; every thread gets it.
__device__ int nth_tie(const Row& r, unsigned t0, int cut0, unsigned tau, u64 n, Shared& s) {
    u64 mine = 0;
    for_chunk(r.z, r.lo, r.hi, r.vec, [&](int c, float v) {
        const unsigned k = key_of(v);
        if (k == tau && inside(c, k, t0, cut0)) ++mine;
    });
    const u64 before = block_exclusive_scan(mine, s);
    if (before < n && n <= before + mine) {
        u64 seen = before;
        for (int c = r.lo; c < r.hi; ++c) {
            const unsigned k = key_of(r.z[c]);
            if (k == tau && inside(c, k, t0, cut0) && ++seen == n) {
                s.cut = c;
                break;
            }
        }
    }
    __syncthreads();
    return s.cut;
}

// Top-k: narrows {key > 0} to its first k members as (t, cut). s.count already holds the top-digit histogram of all
// candidates.
__device__ void top_k(const Row& r, int k, unsigned& t, int& cut, Shared& s) {
    unsigned prefix = 0;
    u64 need = (u64)k;
    for (int shift = 24;; shift -= 8) {
        if (threadIdx.x < 32) select_digit(s.count, need, s);
        __syncthreads();
        prefix |= s.digit << shift;
        need = s.remaining;
        const unsigned ties = s.count[s.digit];
        __syncthreads();
        if (shift == 0) {
            t = prefix;
            cut = need == ties ? 0x7fffffff : nth_tie(r, 0u, -1, prefix, need, s);
            return;
        }
        clear_histograms(s);
        __syncthreads();
        const unsigned high = ~0u << shift;
        for_chunk(r.z, r.lo, r.hi, r.vec, [&](int c, float v) {
            const unsigned key = key_of(v);
            if (key != 0 && (key & high) == prefix) atomicAdd(&s.count[(key >> (shift - 8)) & 0xff], 1u);
        });
        __syncthreads();
    }
}

// Top-p: narrows the set (t, cut) to the ids kept while the mass before them is < ceil(p * S).
__device__ void top_p(const Row& r, float p, unsigned& t, int& cut, Shared& s) {
    unsigned prefix = 0;
    u64 need = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        clear_histograms(s);
        __syncthreads();
        const unsigned high = shift == 24 ? 0u : ~0u << (shift + 8);
        // Block-strided (coalesced) with the same trip count for every lane, so each warp step can combine the lanes
        // that hit one digit before the 64-bit shared atomic (a compare-and-swap loop in hardware, which contended
        // lanes would otherwise retry in turn). Masses are integers: the histogram is the same in any order.
        for (int c0 = 0; c0 < r.limit; c0 += kThreads) {
            const int c = c0 + threadIdx.x;
            bool has = false;
            unsigned d = 0;
            u64 w = 0;
            if (c < r.limit) {
                const float v = r.z[c];
                const unsigned key = key_of(v);
                if (inside(c, key, t, cut) && (key & high) == prefix) {
                    has = true;
                    d = (key >> shift) & 0xff;
                    w = mass_of(v, r.m, r.temperature);
                    atomicAdd(&s.count[d], 1u);
                }
            }
            add_mass_by_digit(has, d, w, s);
        }
        __syncthreads();
        if (threadIdx.x < 32) {
            if (shift == 24) {
                u64 before, total;
                lane_digit_sums(s.mass, before, total);
                need = ceil_times(p, total);
            }
            select_digit(s.mass, need, s);
        }
        __syncthreads();
        prefix |= s.digit << shift;
        need = s.remaining;
        if (shift == 0) {
            // Every id with the final key has the same mass; the first ceil(need / W) of them (in id order) are kept.
            const unsigned ties = s.count[s.digit];
            const u64 w = mass_of(value_of(prefix), r.m, r.temperature);
            const u64 keep = (need + w - 1) / w;
            __syncthreads();
            const int all = prefix == t ? cut : 0x7fffffff;
            cut = keep >= ties ? all : nth_tie(r, t, cut, prefix, keep, s);
            t = prefix;
            return;
        }
        __syncthreads();
    }
}

// The smallest positive float: as top-p it keeps exactly the first id of the order (ceil(p * S) = 1 for every S > 0).
constexpr float kSmallestP = 1.40129846e-45f;

__device__ void sample_row(int* ids, int* kept_out, float* capped, const void* x, int x_dtype, int cols, int limit,
                           float cap, const float* controls) {
    __shared__ Shared s;
    const int row = blockIdx.x;
    // This row's controls (u, T, k, p), mapped to values the passes below are defined for (see the header).
    const float* control = controls + 4LL * row;
    const float uniform = control[0];
    const float temperature = control[1] > 0.0f ? control[1] : 0.0f;
    const float k_value = control[2];
    const int k = k_value >= 1.0f && k_value < (float)limit ? (int)k_value : 0;
    const float p = control[3] > 0.0f ? control[3] : kSmallestP;
    const long long base = (long long)row * cols;
    Row r;
    r.z = (cap > 0.0f ? capped : static_cast<const float*>(x)) + base;
    const int chunk = ((limit + kThreads - 1) / kThreads + 3) & ~3;
    r.limit = limit;
    r.lo = min((int)threadIdx.x * chunk, limit);
    r.hi = min(r.lo + chunk, limit);
    r.vec = (reinterpret_cast<uintptr_t>(r.z) & 15) == 0;
    r.temperature = temperature;
    const bool by_rank = k > 0 && k < limit;

    clear_histograms(s);
    __syncthreads();
    unsigned best = 0, candidates = 0;
    auto visit = [&](int, float v) {
        const unsigned key = key_of(v);
        if (key == 0) return;
        ++candidates;
        best = max(best, key);
        if (by_rank) atomicAdd(&s.count[key >> 24], 1u);
    };
    if (cap > 0.0f) {
        for (int c = r.lo; c < r.hi; ++c) {
            const float v = cap * tanhf(load_any(x, x_dtype, base + c) / cap);
            capped[base + c] = v;
            visit(c, v);
        }
        for (int c = limit + threadIdx.x; c < cols; c += blockDim.x) capped[base + c] = cap * tanhf(load_any(x, x_dtype, base + c) / cap);
    } else {
        for_chunk(r.z, r.lo, r.hi, r.vec, visit);
    }
    const unsigned max_key = block_max(best, s);
    block_exclusive_scan(candidates, s);
    const u64 total_candidates = s.total;
    if (total_candidates == 0) {
        if (threadIdx.x == 0) {
            ids[row] = 0;
            if (kept_out != nullptr) kept_out[row] = 0;
        }
        return;
    }
    r.m = value_of(max_key);

    unsigned t = 0;  // the kept set is inside(t, cut): all candidates to start with
    int cut = -1;
    if (by_rank && (u64)k < total_candidates) top_k(r, k, t, cut, s);
    if (p < 1.0f) top_p(r, p, t, cut, s);

    u64 mine = 0, kept = 0;
    for_chunk(r.z, r.lo, r.hi, r.vec, [&](int c, float v) {
        if (inside(c, key_of(v), t, cut)) {
            mine += mass_of(v, r.m, r.temperature);
            ++kept;
        }
    });
    const u64 before = block_exclusive_scan(mine, s);
    const u64 target = draw_point(uniform, s.total);
    if (before <= target && target < before + mine) {
        u64 running = before;
        for (int c = r.lo; c < r.hi; ++c) {
            const float v = r.z[c];
            if (!inside(c, key_of(v), t, cut)) continue;
            running += mass_of(v, r.m, r.temperature);
            if (running > target) {
                ids[row] = c;
                break;
            }
        }
    }
    if (kept_out != nullptr) {
        block_exclusive_scan(kept, s);
        if (threadIdx.x == 0) kept_out[row] = (int)s.total;
    }
}

}  // namespace palicuda_sampling

extern "C" __global__ void __launch_bounds__(1024, 1) palicuda_sample_rows(int* ids, int* kept, const float* x, int cols, int limit,
                                                                       const float* controls) {
    palicuda_sampling::sample_row(ids, kept, nullptr, x, palicuda::kF32, cols, limit, 0.0f, controls);
}

extern "C" __global__ void __launch_bounds__(1024, 1) palicuda_softcap_sample(int* ids, int* kept, float* capped, const void* x, int x_dtype,
                                                                          int cols, int limit, float cap, const float* controls) {
    palicuda_sampling::sample_row(ids, kept, capped, x, x_dtype, cols, limit, cap, controls);
}
