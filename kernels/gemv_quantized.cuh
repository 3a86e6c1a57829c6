// gemv_quantized.cuh - weight-only quantized GEMV: y[m, n] = sum_k x[m, k] * deq(W)[n, k] (+ bias[n]), for the
// decode step (M = 1 token, up to kMaxTokens). Weights are dequantized in registers and never written out.
//
// Formats (layouts documented on src/PaliCuda/Quantization/*Format.cs and docs/QUANTIZATION.md):
//   int8  I8 [N, K] + F32 scale per row          value = s[n] * q
//   fp8   E4M3 [N, K] + F32 scale per row        value = s[n] * e4m3(q)
//   int4  U8 [N, Kp/2] (nibble slots {0,2,4,6,1,3,5,7}, n = q + 8) + BF16 scale per (row, group of 128)
// Every q * x product is exact in fp32 (q has <= 8 significant bits, x is bf16 with 8), so the only roundings are the
// fp32 additions, the scale multiply and the output store (bf16 or fp32).
//
// Work split: a block is kWarps warps, a warp owns kRowsPerWarp output rows, and its 32 lanes stride along K, each
// lane reading one 16-byte word of every owned row per step (16 elements for the byte formats, 32 for int4), so a
// warp reads 512 contiguous bytes of each row per step, fully coalesced. The activation slice of a step (8 bf16 per
// 16-byte load) comes from L1/L2: x is at most kMaxTokens * K * 2 bytes, read by every warp, while the weight bytes
// are read exactly once. With kRowsPerWarp = 2 each activation load feeds two rows.
//
// Split over K: when the row count alone gives too few blocks to fill the GPU (e.g. N = 2304), grid.y = splits
// cuts K into `splits` contiguous ranges of whole 16-byte chunks; split s writes its fp32 partial sums to
// partial[(s * M + m) * N + n] and palicuda_gemv_combine (gemv_combine.cu) adds them in split order (deterministic:
// no atomics) before the bias and the one output rounding. With splits = 1 the GEMV writes y directly.
//
// Bytes moved per call (the bandwidth floor is these bytes / DRAM bandwidth):
//   weights:  int8/fp8 N*K, int4 N*Kp/2            (read once)
//   scales:   int8/fp8 4*N, int4 2*N*Kp/128
//   x:        2*M*K (read once from DRAM, then L2/L1 hits), y: M*N*(2 or 4), bias 2*N
//   split-K:  + 2 * 4*splits*M*N (partials written and read back), small next to the weights for the shapes where it is used.
//
// Launch: grid = (ceil(N / kRowsPerBlock), splits), block = kWarps * 32, no dynamic shared memory.
// Requirements (checked by the host launcher): M in [1, kMaxTokens]; x, qweight, scales 16-byte aligned;
// splits <= number of 16-byte chunks per row. Byte formats with K % 16 != 0 take a scalar path (one byte per load).
#pragma once
#include "common.cuh"

namespace palicuda_qgemv {
using namespace palicuda;

constexpr int kWarps = 4;
constexpr int kRowsPerWarp = 2;
constexpr int kRowsPerBlock = kWarps * kRowsPerWarp;
constexpr int kMaxTokens = 8;

// Eight activations x[k .. k+8) of one token as fp32, zero at k >= K (int4 rows are padded past K with q = 0, and
// 0 * NaN would still be NaN, so the activation side is what gets masked).
__device__ __forceinline__ void load_x8(const bf16* row, int k, int K, bool vec, float* out) {
    if (vec && k + 8 <= K) {
        load8(row + k, out);
    } else {
#pragma unroll
        for (int i = 0; i < 8; ++i) out[i] = k + i < K ? to_float(row[k + i]) : 0.0f;
    }
}

// int8: q = signed byte. XOR 0x80 makes u = q + 128 unsigned; placing u in the low byte of 0x4B000000 is the float
// 2^23 + u exactly, so one prmt + one subtract gives q (no int->float conversion instruction).
struct Int8Decode {
    static __device__ __forceinline__ void word(unsigned w, float* f) {
        w ^= 0x80808080u;
#pragma unroll
        for (int j = 0; j < 4; ++j) f[j] = __uint_as_float(__byte_perm(w, 0x4B000000u, 0x7650u | j)) - 8388736.0f;
    }
    static __device__ __forceinline__ float byte(unsigned char b) { return (float)(signed char)b; }
};

// fp8 e4m3: with the byte moved to the top of a word, an arithmetic shift by 4 puts the sign at bit 31 and the
// exponent/mantissa bits at 26..20, i.e. the fp32 with exponent field e and the same mantissa; that is the e4m3 value
// times 2^-120 (subnormals become fp32 subnormals, exact), so multiplying by 2^120 restores it exactly. S.1111.111
// is NaN in e4m3: a word containing one takes the rare fix-up branch.
struct Fp8Decode {
    static __device__ __forceinline__ float from_top(unsigned top) {
        return __fmul_rn(__uint_as_float((unsigned)((int)top >> 4) & 0x87F00000u), __uint_as_float(0x7B800000u));
    }
    static __device__ __forceinline__ void word(unsigned w, float* f) {
#pragma unroll
        for (int j = 0; j < 4; ++j) f[j] = from_top(__byte_perm(w, 0u, 0x0444u | (j << 12)));
        if (((w & 0x7F7F7F7Fu) + 0x01010101u) & 0x80808080u) {
#pragma unroll
            for (int j = 0; j < 4; ++j)
                if (((w >> (8 * j)) & 0x7Fu) == 0x7Fu) f[j] = quiet_nan();
        }
    }
    static __device__ __forceinline__ float byte(unsigned char b) {
        return (b & 0x7F) == 0x7F ? quiet_nan() : from_top((unsigned)b << 24);
    }
};

// int4: (w >> 4t) & 0x000F000F holds elements 2t and 2t+1 as 16-bit lanes; OR 0x4300 makes each the bf16 128 + n,
// which widens to fp32 by a shift (low) or a mask (high). int4_word_biased stops there (f = q + 136, exact);
// int4_word subtracts 136 to give q exactly.
constexpr float kInt4Bias = 136.0f;
__device__ __forceinline__ void int4_word_biased(unsigned w, float* f) {
#pragma unroll
    for (int t = 0; t < 4; ++t) {
        const unsigned p = ((w >> (4 * t)) & 0x000F000Fu) | 0x43004300u;
        f[2 * t] = __uint_as_float(p << 16);
        f[2 * t + 1] = __uint_as_float(p & 0xFFFF0000u);
    }
}
__device__ __forceinline__ void int4_word(unsigned w, float* f) {
    int4_word_biased(w, f);
#pragma unroll
    for (int i = 0; i < 8; ++i) f[i] -= kInt4Bias;
}

__device__ __forceinline__ unsigned word_of(const uint4& v, int j) { return j == 0 ? v.x : j == 1 ? v.y : j == 2 ? v.z : v.w; }

struct Tile {
    int row[kRowsPerWarp];   // output rows owned by this warp (>= N: computed on row N-1, never stored)
    int load_row[kRowsPerWarp];
};

__device__ __forceinline__ Tile warp_rows(int N) {
    Tile t;
    const int first = blockIdx.x * kRowsPerBlock + (threadIdx.x >> 5) * kRowsPerWarp;
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r) {
        t.row[r] = first + r;
        t.load_row[r] = min(first + r, N - 1);
    }
    return t;
}

// The K chunks [begin, end) of this block's split (grid.y): `splits` contiguous ranges of ceil(chunks / splits).
struct ChunkRange {
    int begin, end;
};

__device__ __forceinline__ ChunkRange split_chunks(int chunks, int splits) {
    const int per_split = (chunks + splits - 1) / splits;
    const int begin = blockIdx.y * per_split;
    return {begin, min(chunks, begin + per_split)};
}

template <int MT>
__device__ __forceinline__ void zero(float (&a)[MT][kRowsPerWarp]) {
#pragma unroll
    for (int m = 0; m < MT; ++m)
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) a[m][r] = 0.0f;
}

// Reduces the warp's sums and stores them: y directly (splits == 1, with bias) or the split's fp32 partials.
template <int MT>
__device__ __forceinline__ void finish(float (&acc)[MT][kRowsPerWarp], const float* row_scale, const Tile& t, void* y,
                                       float* partial, const bf16* bias, int M, int N, int splits, int out_dtype) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int m = 0; m < MT; ++m) {
        if (m >= M) break;
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) {
            float v = warp_sum(acc[m][r]);
            if (row_scale) v *= row_scale[r];
            if (lane == ((m * kRowsPerWarp + r) & 31) && t.row[r] < N) {
                const long long o = (long long)m * N + t.row[r];
                if (splits == 1) store_any(y, out_dtype, o, bias ? v + to_float(bias[t.row[r]]) : v);
                else partial[(long long)blockIdx.y * M * N + o] = v;
            }
        }
    }
}

// Byte formats (int8, fp8): 16 elements per 16-byte word, fp32 scale per row applied once at the end.
template <class Decode, int MT>
__device__ __forceinline__ void gemv_bytes(void* y, float* partial, const bf16* x, const unsigned char* q,
                                           const float* scales, const bf16* bias, int M, int N, int K, int splits,
                                           int out_dtype) {
    const Tile t = warp_rows(N);
    const int lane = threadIdx.x & 31;
    const ChunkRange range = split_chunks((K + 15) >> 4, splits);
    const bool vec = (K & 15) == 0;
    float acc[MT][kRowsPerWarp];
    zero<MT>(acc);

    for (int c = range.begin + lane; c < range.end; c += 32) {
        const int k0 = c << 4;
        if (vec) {
            uint4 wv[kRowsPerWarp];
#pragma unroll
            for (int r = 0; r < kRowsPerWarp; ++r)
                wv[r] = __ldg(reinterpret_cast<const uint4*>(q + (long long)t.load_row[r] * K + k0));
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                float w[kRowsPerWarp][8];
#pragma unroll
                for (int r = 0; r < kRowsPerWarp; ++r) {
                    Decode::word(word_of(wv[r], 2 * h), w[r]);
                    Decode::word(word_of(wv[r], 2 * h + 1), w[r] + 4);
                }
#pragma unroll
                for (int m = 0; m < MT; ++m) {
                    if (m >= M) break;
                    float xv[8];
                    load8(x + (long long)m * K + k0 + 8 * h, xv);
#pragma unroll
                    for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
                        for (int i = 0; i < 8; ++i) acc[m][r] = fmaf(w[r][i], xv[i], acc[m][r]);
                }
            }
        } else {
            const int n = min(16, K - k0);
            for (int i = 0; i < n; ++i) {
                float w[kRowsPerWarp];
#pragma unroll
                for (int r = 0; r < kRowsPerWarp; ++r) w[r] = Decode::byte(q[(long long)t.load_row[r] * K + k0 + i]);
#pragma unroll
                for (int m = 0; m < MT; ++m) {
                    if (m >= M) break;
                    const float xv = to_float(x[(long long)m * K + k0 + i]);
#pragma unroll
                    for (int r = 0; r < kRowsPerWarp; ++r) acc[m][r] = fmaf(w[r], xv, acc[m][r]);
                }
            }
        }
    }
    float s[kRowsPerWarp];
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r) s[r] = scales[t.load_row[r]];
    finish<MT>(acc, s, t, y, partial, bias, M, N, splits, out_dtype);
}

// int4: 32 elements per 16-byte word, all in one group of 128, so the group's bf16 scale multiplies the word's
// partial dot product once. The subtract of the nibble bias is taken out of the per-element work (it would be a
// quarter of the instructions): the lane sums (q + 136) * x and, once per chunk and token, sum(x) (shared by the
// warp's rows), then forms s * (sum((q + 136) x) - 136 * sum(x)) with one fma. The cancellation costs accuracy only
// at the fp32 level: the chunk's error is at most 32 * 2^-24 * (143 + 136) * s * sum|x| (tests: QuantizedTolerance).
template <int MT>
__device__ __forceinline__ void gemv_int4(void* y, float* partial, const bf16* x, const unsigned char* q,
                                          const bf16* scales, const bf16* bias, int M, int N, int K, int splits,
                                          int out_dtype) {
    const Tile t = warp_rows(N);
    const int lane = threadIdx.x & 31;
    const int kp = (K + 127) & ~127, groups = kp >> 7, row_bytes = kp >> 1;
    const ChunkRange range = split_chunks(kp >> 5, splits);
    const bool xvec = (K & 7) == 0;
    float acc[MT][kRowsPerWarp];
    zero<MT>(acc);

    for (int c = range.begin + lane; c < range.end; c += 32) {
        const int k0 = c << 5;
        uint4 wv[kRowsPerWarp];
        float s[kRowsPerWarp];
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) {
            wv[r] = __ldg(reinterpret_cast<const uint4*>(q + (long long)t.load_row[r] * row_bytes + (k0 >> 1)));
            s[r] = to_float(scales[(long long)t.load_row[r] * groups + (k0 >> 7)]);
        }
        float part[MT][kRowsPerWarp], xsum[MT];
        zero<MT>(part);
#pragma unroll
        for (int m = 0; m < MT; ++m) xsum[m] = 0.0f;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            float w[kRowsPerWarp][8];
#pragma unroll
            for (int r = 0; r < kRowsPerWarp; ++r) int4_word_biased(word_of(wv[r], j), w[r]);
#pragma unroll
            for (int m = 0; m < MT; ++m) {
                if (m >= M) break;
                float xv[8];
                load_x8(x + (long long)m * K, k0 + 8 * j, K, xvec, xv);
#pragma unroll
                for (int i = 0; i < 8; ++i) xsum[m] += xv[i];
#pragma unroll
                for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
                    for (int i = 0; i < 8; ++i) part[m][r] = fmaf(w[r][i], xv[i], part[m][r]);
            }
        }
#pragma unroll
        for (int m = 0; m < MT; ++m)
#pragma unroll
            for (int r = 0; r < kRowsPerWarp; ++r)
                acc[m][r] = fmaf(s[r], fmaf(-kInt4Bias, xsum[m], part[m][r]), acc[m][r]);
    }
    finish<MT>(acc, nullptr, t, y, partial, bias, M, N, splits, out_dtype);
}

}  // namespace palicuda_qgemv
