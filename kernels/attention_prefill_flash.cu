// attention_prefill_flash.cu - attention of every query row, variant "flash_mma" (flash-attention-2 style).
//
// Same contract as attention_prefill.cu ("reference"): formula and mask in attention.cuh, same parameters, same
// NaN rows for an invalid position / prefix or a row that sees no key. Differences, all inside the fp32 tolerance
// of the tests: Q.K and P.V run on tensor cores (bf16 x bf16 -> fp32), and the probabilities P are rounded to bf16
// before P.V; the normaliser l sums the ROUNDED probabilities, so the output stays a convex combination of V rows.
//
// Work split: block = (tile of BQ = 64 queries, head h), 4 warps, warp w owns query rows 16w..16w+15 of the tile.
// Q tile and a double-buffered K/V tile of BK keys live in dynamic shared memory, filled by cp.async (16-byte
// chunks; rows past the end and head dimensions past head_dim are zero-filled through the src-size operand, so the
// padded k-dimension contributes exactly 0 to Q.K and padded V columns are never stored). Each K/V tile:
//   S = Q K^T (mma, fragments by ldmatrix) -> * scale -> soft cap -> mask (AttentionMaskSpec.IsVisible, term for
//   term) -> online softmax in fp32 (running max m and partial sum l per row) -> O = O * corr + P V (mma, V
//   fragments by ldmatrix.trans).
// Only keys in [min first_key, max key limit) of the block's rows are loaded; a warp skips the math of a tile that
// lies outside its own rows' range.
//
// Head dims: the kernel is instantiated for padded dims DP = 16, 32, 64, 80, 128, 256; head_dim must be a multiple
// of 8 (16-byte chunks) and at most DP. 72 (SigLIP) runs as DP = 80: five k16 steps of Q.K, ten n8 tiles of P.V,
// the last 8 dims zero. Tile sizes per DP (registers: O is DP/2 floats per thread, S is BK/2):
//   DP <= 128: BK = 64;  DP = 256: BK = 32.
// Shared bytes = (BQ + 4 * BK) * (DP + 8) * 2; the +8 bf16 row pad spreads the eight 16-byte rows an ldmatrix reads
// over distinct banks. The host (FlashAttentionTiles.cs) mirrors these numbers.
// Launch: grid (ceil(queries / 64), heads), block 128, dynamic shared as above.
#include "attention.cuh"
#include "tensor_core.cuh"

extern __shared__ __align__(16) unsigned char palicuda_flash_shared[];

namespace palicuda_attention {
using namespace palicuda_tc;

constexpr int kFlashRows = 64;    // BQ
constexpr int kFlashWarps = 4;

template <int DP, int BK>
struct FlashTile {
    static constexpr int kStride = DP + 8;            // bf16 per shared row
    static constexpr int kQElems = kFlashRows * kStride;
    static constexpr int kKvElems = BK * kStride;     // one stage of K (or V)
    static constexpr int kChunks = DP / 8;            // 16-byte chunks per row
    static_assert(DP % 16 == 0 && BK % 16 == 0, "mma tiles are 16 wide");
};

// Keys below first_key(query) are invisible and keys at or past the limit do not exist for this row.
__device__ __forceinline__ int row_key_limit(bool cached, int capacity, int prefix, int qp) {
    return cached ? min(capacity, max(prefix, qp + 1)) : capacity;
}

template <int DP, int BK>
__device__ __forceinline__ void load_kv_tile(bf16* sk, bf16* sv, const Keys& keys, int kvh, int k0, int key_end) {
    using T = FlashTile<DP, BK>;
    for (int i = threadIdx.x; i < BK * T::kChunks; i += kFlashWarps * 32) {
        const int r = i / T::kChunks, c = i - r * T::kChunks;
        const int key = k0 + r;
        const bool ok = key < key_end && c * 8 < keys.head_dim;
        const long long off = ok ? keys.row(key, kvh) + c * 8 : 0;
        cp_async16(shared_address(sk + r * T::kStride + c * 8), keys.k + off, ok ? 16 : 0);
        cp_async16(shared_address(sv + r * T::kStride + c * 8), keys.v + off, ok ? 16 : 0);
    }
}

template <int DP, int BK>
__device__ __forceinline__ void flash_prefill(bf16* y, const bf16* q, const Keys& keys, const int* positions, const int* prefix_length,
                                              int queries, int heads, float scale, float softcap, const Mask& mask) {
    using T = FlashTile<DP, BK>;
    constexpr int NT = DP / 8;   // n8 tiles of the output
    constexpr int ST = BK / 8;   // n8 tiles of the scores
    __shared__ int warp_lo[kFlashWarps], warp_hi[kFlashWarps];
    bf16* sq = reinterpret_cast<bf16*>(palicuda_flash_shared);
    bf16* sk = sq + T::kQElems;          // [2][BK][kStride]
    bf16* sv = sk + 2 * T::kKvElems;     // [2][BK][kStride]

    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int q0 = blockIdx.x * kFlashRows, h = blockIdx.y, kvh = h / (heads / keys.kv_heads);
    const int hd = keys.head_dim;
    const bool cached = keys.layout == kHeadMajorCache;
    const int prefix = prefix_length != nullptr ? *prefix_length : keys.capacity;
    const bool prefix_ok = !cached || (prefix > 0 && prefix <= keys.capacity);

    // The two rows of this thread's fragments (g and g + 8 of the warp): position and key limit (0 = invalid row).
    int row_qp[2], row_end[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
        const int t = q0 + warp * 16 + (lane >> 2) + 8 * i;
        const int qp = t < queries ? (positions != nullptr ? positions[t] : t) : -1;
        const bool valid = t < queries && prefix_ok && (unsigned)qp < (unsigned)keys.capacity;
        row_qp[i] = qp;
        row_end[i] = valid ? row_key_limit(cached, keys.capacity, prefix, qp) : 0;
    }
    // Key range of the warp's 16 rows (lanes 16..31 repeat lanes 0..15), then of the block.
    {
        const int t = q0 + warp * 16 + (lane & 15);
        const int qp = t < queries ? (positions != nullptr ? positions[t] : t) : -1;
        const bool valid = t < queries && prefix_ok && (unsigned)qp < (unsigned)keys.capacity;
        int lo = valid ? mask.first_key(qp, prefix) : INT_MAX;
        int hi = valid ? row_key_limit(cached, keys.capacity, prefix, qp) : 0;
#pragma unroll
        for (int o = 8; o > 0; o >>= 1) {
            lo = min(lo, __shfl_xor_sync(0xffffffffu, lo, o));
            hi = max(hi, __shfl_xor_sync(0xffffffffu, hi, o));
        }
        if (lane == 0) {
            warp_lo[warp] = lo;
            warp_hi[warp] = hi;
        }
    }
    __syncthreads();
    const int wlo = warp_lo[warp], whi = warp_hi[warp];
    int block_lo = INT_MAX, block_hi = 0;
#pragma unroll
    for (int w = 0; w < kFlashWarps; ++w) {
        block_lo = min(block_lo, warp_lo[w]);
        block_hi = max(block_hi, warp_hi[w]);
    }
    const int tiles = block_hi > block_lo ? (block_hi - block_lo + BK - 1) / BK : 0;

    // Q tile (zero rows past the queries) and the first K/V tile form the first copy group.
    for (int i = threadIdx.x; i < kFlashRows * T::kChunks; i += kFlashWarps * 32) {
        const int r = i / T::kChunks, c = i - r * T::kChunks;
        const int t = q0 + r;
        const bool ok = t < queries && c * 8 < hd;
        const long long off = ok ? ((long long)t * heads + h) * hd + c * 8 : 0;
        cp_async16(shared_address(sq + r * T::kStride + c * 8), q + off, ok ? 16 : 0);
    }
    if (tiles > 0) load_kv_tile<DP, BK>(sk, sv, keys, kvh, block_lo, block_hi);
    cp_async_commit();

    float o[NT][4];
#pragma unroll
    for (int n = 0; n < NT; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.0f;
    float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f};

    // ldmatrix row addresses: lane l points at row l & 7 of matrix l >> 3.
    const int mi = lane >> 3, mr = lane & 7;
    const bf16* q_frag = sq + (warp * 16 + mr + (mi & 1) * 8) * T::kStride + (mi >> 1) * 8;   // A: m0 rows 0-7/k 0-7, m1 rows 8-15, m2/m3 k 8-15
    const int k_frag = (mr + (mi >> 1) * 8) * T::kStride + (mi & 1) * 8;                      // B = K^T: m0/m1 keys 0-7 (k lo/hi), m2/m3 keys 8-15
    const int v_frag = (mr + (mi & 1) * 8) * T::kStride + (mi >> 1) * 8;                      // B = V (trans): m0/m1 dims 0-7 (keys lo/hi), m2/m3 dims 8-15

    for (int it = 0; it < tiles; ++it) {
        const int stage = it & 1, k0 = block_lo + it * BK;
        if (it + 1 < tiles) load_kv_tile<DP, BK>(sk + (stage ^ 1) * T::kKvElems, sv + (stage ^ 1) * T::kKvElems, keys, kvh, k0 + BK, block_hi);
        cp_async_commit();
        cp_async_wait<1>();
        __syncthreads();
        if (k0 < whi && k0 + BK > wlo) {
            const bf16* kst = sk + stage * T::kKvElems;
            const bf16* vst = sv + stage * T::kKvElems;
            float s[ST][4];
#pragma unroll
            for (int j = 0; j < ST; ++j) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.0f;
#pragma unroll
            for (int kk = 0; kk < DP / 16; ++kk) {
                unsigned a[4];
                ldmatrix_x4(a, shared_address(q_frag + kk * 16));
#pragma unroll
                for (int np = 0; np < ST / 2; ++np) {
                    unsigned b[4];
                    ldmatrix_x4(b, shared_address(kst + np * 16 * T::kStride + k_frag + kk * 16));
                    mma_bf16(s[2 * np], a, b[0], b[1]);
                    mma_bf16(s[2 * np + 1], a, b[2], b[3]);
                }
            }
            // Scale, soft cap (before the mask), mask; then the online softmax per row.
#pragma unroll
            for (int i = 0; i < 2; ++i) {
                float mx = -INFINITY;
#pragma unroll
                for (int j = 0; j < ST; ++j) {
#pragma unroll
                    for (int e = 0; e < 2; ++e) {
                        const int key = k0 + j * 8 + 2 * (lane & 3) + e;
                        float x = s[j][2 * i + e] * scale;
                        if (softcap > 0.0f) x = softcap * tanhf(x / softcap);
                        const bool vis = key < row_end[i] && mask.visible(row_qp[i], key, prefix);
                        x = vis ? x : -INFINITY;
                        s[j][2 * i + e] = x;
                        mx = fmaxf(mx, x);
                    }
                }
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
                const float m_new = fmaxf(m[i], mx);
                const float base = m_new == -INFINITY ? 0.0f : m_new;  // no visible key yet: every p is exp(-inf) = 0
                const float corr = expf(m[i] - base);
                float sum = 0.0f;
#pragma unroll
                for (int j = 0; j < ST; ++j) {
#pragma unroll
                    for (int e = 0; e < 2; ++e) {
                        const float p = to_float(to_bf16(expf(s[j][2 * i + e] - base)));  // the value P.V will use
                        s[j][2 * i + e] = p;
                        sum += p;
                    }
                }
                l[i] = l[i] * corr + sum;  // this thread's partial sum; the quad is summed at the end
                m[i] = m_new;
#pragma unroll
                for (int n = 0; n < NT; ++n) {
                    o[n][2 * i] *= corr;
                    o[n][2 * i + 1] *= corr;
                }
            }
            // O += P V: the S accumulators of two n8 tiles are exactly the A fragment of one k16 step.
#pragma unroll
            for (int kp = 0; kp < ST / 2; ++kp) {
                const unsigned a[4] = {pack2(s[2 * kp][0], s[2 * kp][1]), pack2(s[2 * kp][2], s[2 * kp][3]),
                                       pack2(s[2 * kp + 1][0], s[2 * kp + 1][1]), pack2(s[2 * kp + 1][2], s[2 * kp + 1][3])};
#pragma unroll
                for (int dp = 0; dp < DP / 16; ++dp) {
                    unsigned b[4];
                    ldmatrix_x4_trans(b, shared_address(vst + kp * 16 * T::kStride + v_frag + dp * 16));
                    mma_bf16(o[2 * dp], a, b[0], b[1]);
                    mma_bf16(o[2 * dp + 1], a, b[2], b[3]);
                }
            }
        }
        __syncthreads();  // the next iteration refills the stage just read
    }
    cp_async_wait_all();

#pragma unroll
    for (int i = 0; i < 2; ++i) {
        float total = l[i];
        total += __shfl_xor_sync(0xffffffffu, total, 1);
        total += __shfl_xor_sync(0xffffffffu, total, 2);
        const float inv = total > 0.0f ? 1.0f / total : quiet_nan();
        const int t = q0 + warp * 16 + (lane >> 2) + 8 * i;
        if (t >= queries) continue;
        bf16* out = y + ((long long)t * heads + h) * hd;
#pragma unroll
        for (int n = 0; n < NT; ++n) {
            const int col = n * 8 + 2 * (lane & 3);
            if (col < hd) *reinterpret_cast<unsigned*>(out + col) = pack2(o[n][2 * i] * inv, o[n][2 * i + 1] * inv);
        }
    }
}

template <int DP, int BK>
__device__ __forceinline__ void flash_entry(bf16* y, const bf16* q, const bf16* k, const bf16* v, const int* positions, const int* prefix_length,
                                            int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
                                            float softcap, int mask_kind, int window, int semantics) {
    const Keys keys{k, v, layout, kv_heads, capacity, head_dim};
    const Mask mask{mask_kind, window, semantics};
    flash_prefill<DP, BK>(y, q, keys, positions, prefix_length, queries, heads, scale, softcap, mask);
}

}  // namespace palicuda_attention

// Entry points, one per padded head size (written out rather than macro-generated: ptxas 11.8 crashes on sm_90
// line info of a kernel expanded from a macro).

extern "C" __global__ void __launch_bounds__(128, 2) palicuda_attention_prefill_flash_d16(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::flash_entry<16, 64>(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout,
                                              capacity, scale, softcap, mask_kind, window, window_semantics);
}

extern "C" __global__ void __launch_bounds__(128, 2) palicuda_attention_prefill_flash_d32(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::flash_entry<32, 64>(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout,
                                              capacity, scale, softcap, mask_kind, window, window_semantics);
}

extern "C" __global__ void __launch_bounds__(128, 2) palicuda_attention_prefill_flash_d64(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::flash_entry<64, 64>(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout,
                                              capacity, scale, softcap, mask_kind, window, window_semantics);
}

extern "C" __global__ void __launch_bounds__(128, 2) palicuda_attention_prefill_flash_d80(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::flash_entry<80, 64>(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout,
                                              capacity, scale, softcap, mask_kind, window, window_semantics);
}

extern "C" __global__ void __launch_bounds__(128, 2) palicuda_attention_prefill_flash_d128(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::flash_entry<128, 64>(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout,
                                              capacity, scale, softcap, mask_kind, window, window_semantics);
}

extern "C" __global__ void __launch_bounds__(128, 2) palicuda_attention_prefill_flash_d256(
    palicuda::bf16* y, const palicuda::bf16* q, const palicuda::bf16* k, const palicuda::bf16* v, const int* positions,
    const int* prefix_length, int queries, int heads, int kv_heads, int head_dim, int layout, int capacity, float scale,
    float softcap, int mask_kind, int window, int window_semantics) {
    palicuda_attention::flash_entry<256, 32>(y, q, k, v, positions, prefix_length, queries, heads, kv_heads, head_dim, layout,
                                              capacity, scale, softcap, mask_kind, window, window_semantics);
}
