// embedding.cu - token embedding gather and the image-feature scatter (HF masked_scatter).
//
//   gather:   y[t, :] = table[ids[t], :] * scale    (scale 1 for a plain gather; the product is computed in
//             fp32 and rounded once). An id outside [0, vocab) writes a row of NaN: the launcher validates
//             ids it can see, and a NaN row makes any it cannot (ids written by a captured graph) visible.
//   scatter:  k(t) = #{ t' < t : ids[t'] == image_token };  y[t, :] = ids[t] == image_token
//             ? features[k(t), :] * feature_scale : embeds[t, :]
//             (feature_scale with divide = 1 divides, as HF divides features by sqrt(hidden)); a k(t) beyond
//             the feature rows writes NaN.
// Storage bf16. Launch: grid = tokens, block = 128..1024 (multiple of 32).
#include "common.cuh"

namespace palicuda_embedding {
using namespace palicuda;

__device__ __forceinline__ void copy_row_scaled(bf16* dst, const bf16* src, int cols, float f, int divide) {
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float v = to_float(src[c]);
        dst[c] = to_bf16(divide ? v / f : v * f);
    }
}

__device__ __forceinline__ void nan_row(bf16* dst, int cols) {
    for (int c = threadIdx.x; c < cols; c += blockDim.x) dst[c] = to_bf16(quiet_nan());
}

__device__ __forceinline__ void gather(bf16* y, const bf16* table, const int* ids, int cols, int vocab, float scale) {
    const int t = blockIdx.x, id = ids[t];
    bf16* dst = y + (long long)t * cols;
    if ((unsigned)id >= (unsigned)vocab) nan_row(dst, cols);
    else copy_row_scaled(dst, table + (long long)id * cols, cols, scale, 0);
}

__device__ __forceinline__ void scatter(bf16* y, const bf16* embeds, const int* ids, const bf16* features, int feature_rows,
                                        int cols, int image_token, float feature_scale, int divide) {
    __shared__ float scratch[32];
    const int t = blockIdx.x;
    bf16* dst = y + (long long)t * cols;
    if (ids[t] != image_token) {
        copy_row_scaled(dst, embeds + (long long)t * cols, cols, 1.0f, 0);
        return;
    }
    float before = 0.0f;
    for (int j = threadIdx.x; j < t; j += blockDim.x) before += ids[j] == image_token ? 1.0f : 0.0f;
    const int k = (int)block_sum(before, scratch);
    if (k >= feature_rows) nan_row(dst, cols);
    else copy_row_scaled(dst, features + (long long)k * cols, cols, feature_scale, divide);
}

}  // namespace palicuda_embedding

extern "C" __global__ void palicuda_embedding_gather_bf16(palicuda::bf16* y, const palicuda::bf16* table, const int* ids, int cols,
                                                          int vocab, float scale) {
    palicuda_embedding::gather(y, table, ids, cols, vocab, scale);
}

extern "C" __global__ void palicuda_scatter_image_features_bf16(palicuda::bf16* y, const palicuda::bf16* embeds, const int* ids,
                                                                const palicuda::bf16* features, int feature_rows, int cols,
                                                                int image_token, float feature_scale, int divide) {
    palicuda_embedding::scatter(y, embeds, ids, features, feature_rows, cols, image_token, feature_scale, divide);
}
