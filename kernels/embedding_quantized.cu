// embedding_quantized.cu - token embedding gather from a packed table (the tied embedding / LM head stored as
// int8, int4 or fp8; layouts in src/PaliCuda/Quantization/*Format.cs):
//
//   y[t, c] = bf16( (s(id, c) * q(id, c)) * scale ),   id = ids[t]
//
// s * q is computed in fp32 exactly as the dequantize kernels and the CPU reference (QuantizedWeight.DequantizeRow)
// do, so with scale = 1 each element is the reference value rounded to bf16 once - the same table the LM head's GEMV
// multiplies with. An id outside [0, vocab) writes a row of NaN, as palicuda_embedding_gather_bf16 does.
// Launch: grid = tokens, block = 32..1024 (multiple of 32); one element per thread per step, no alignment needs.
#include "gemv_quantized.cuh"

namespace palicuda_embedding_q {
using namespace palicuda;

template <class Element>
__device__ __forceinline__ void gather(bf16* y, const int* ids, int cols, int vocab, float scale, Element element) {
    const int t = blockIdx.x, id = ids[t];
    bf16* dst = y + (long long)t * cols;
    if ((unsigned)id >= (unsigned)vocab) {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) dst[c] = to_bf16(quiet_nan());
        return;
    }
    for (int c = threadIdx.x; c < cols; c += blockDim.x) dst[c] = to_bf16(element(id, c) * scale);
}

// int8 and fp8: one byte per element, one fp32 scale per row; Decode is the GEMV's byte decoder.
template <class Decode>
struct ByteRow {
    const unsigned char* q;
    const float* scales;
    int cols;
    __device__ __forceinline__ float operator()(int r, int c) const {
        return scales[r] * Decode::byte(q[(long long)r * cols + c]);
    }
};

// int4: element c of a row is in 32-bit word c / 8; within the word, element e = c % 8 sits in nibble slot
// e / 2 (even e) or 4 + e / 2 (odd e), stored as q + 8. Rows are Kp / 2 bytes, Kp = K rounded up to 128.
struct Int4Row {
    const unsigned char* q;
    const bf16* scales;
    int cols;
    __device__ __forceinline__ float operator()(int r, int c) const {
        const int kp = (cols + 127) & ~127;
        const unsigned w = reinterpret_cast<const unsigned*>(q + (long long)r * (kp >> 1))[c >> 3];
        const int e = c & 7, slot = (e >> 1) + ((e & 1) << 2);
        const float v = (float)((int)((w >> (4 * slot)) & 0xFu) - 8);
        return to_float(scales[(long long)r * (kp >> 7) + (c >> 7)]) * v;
    }
};

}  // namespace palicuda_embedding_q

extern "C" __global__ void palicuda_embedding_gather_int8(palicuda::bf16* y, const unsigned char* q, const float* scales,
                                                          const int* ids, int cols, int vocab, float scale) {
    palicuda_embedding_q::gather(y, ids, cols, vocab, scale, palicuda_embedding_q::ByteRow<palicuda_qgemv::Int8Decode>{q, scales, cols});
}

extern "C" __global__ void palicuda_embedding_gather_fp8(palicuda::bf16* y, const unsigned char* q, const float* scales,
                                                         const int* ids, int cols, int vocab, float scale) {
    palicuda_embedding_q::gather(y, ids, cols, vocab, scale, palicuda_embedding_q::ByteRow<palicuda_qgemv::Fp8Decode>{q, scales, cols});
}

extern "C" __global__ void palicuda_embedding_gather_int4(palicuda::bf16* y, const unsigned char* q, const palicuda::bf16* scales,
                                                          const int* ids, int cols, int vocab, float scale) {
    palicuda_embedding_q::gather(y, ids, cols, vocab, scale, palicuda_embedding_q::Int4Row{q, scales, cols});
}
