// Warp collectives through inline PTX so each shfl mode, its predicate and segment clamp are exercised exactly.
extern "C" __global__ void shuffles(const int* in, int* out, int* pred, int b, int c) {
  int t = threadIdx.x;
  int a = in[t];
  int r, p;
  asm volatile("{ .reg .pred q; shfl.sync.up.b32 %0|q, %2, %3, %4, -1; selp.b32 %1, 1, 0, q; }" : "=r"(r), "=r"(p) : "r"(a), "r"(b), "r"(c));
  out[t * 4 + 0] = r; pred[t * 4 + 0] = p;
  asm volatile("{ .reg .pred q; shfl.sync.down.b32 %0|q, %2, %3, %4, -1; selp.b32 %1, 1, 0, q; }" : "=r"(r), "=r"(p) : "r"(a), "r"(b), "r"(c));
  out[t * 4 + 1] = r; pred[t * 4 + 1] = p;
  asm volatile("{ .reg .pred q; shfl.sync.bfly.b32 %0|q, %2, %3, %4, -1; selp.b32 %1, 1, 0, q; }" : "=r"(r), "=r"(p) : "r"(a), "r"(b), "r"(c));
  out[t * 4 + 2] = r; pred[t * 4 + 2] = p;
  asm volatile("{ .reg .pred q; shfl.sync.idx.b32 %0|q, %2, %3, %4, -1; selp.b32 %1, 1, 0, q; }" : "=r"(r), "=r"(p) : "r"(a), "r"(b), "r"(c));
  out[t * 4 + 3] = r; pred[t * 4 + 3] = p;
}
extern "C" __global__ void votes(const int* in, unsigned* out) {
  int t = threadIdx.x;
  int x = in[t];
  out[t * 4 + 0] = __ballot_sync(0xffffffffu, x > 0);
  out[t * 4 + 1] = __all_sync(0xffffffffu, x > 0);
  out[t * 4 + 2] = __any_sync(0xffffffffu, x > 5);
  out[t * 4 + 3] = __uni_sync(0xffffffffu, x > 0);
}
