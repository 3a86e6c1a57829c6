// Tensor-core and async-copy instructions through inline PTX, so each fragment layout is exercised exactly.
#include <cuda_bf16.h>

__device__ __forceinline__ unsigned smem(const void* p) { return (unsigned)__cvta_generic_to_shared(p); }

// Registers in, registers out: lane l passes a[l*4+j], b[l*2+j], c[l*4+j] and gets d[l*4+j].
extern "C" __global__ void mma_bf16_k16(const unsigned* a, const unsigned* b, const float* c, float* d) {
  int l = threadIdx.x;
  float d0, d1, d2, d3;
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
               : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
               : "r"(a[l * 4]), "r"(a[l * 4 + 1]), "r"(a[l * 4 + 2]), "r"(a[l * 4 + 3]), "r"(b[l * 2]), "r"(b[l * 2 + 1]),
                 "f"(c[l * 4]), "f"(c[l * 4 + 1]), "f"(c[l * 4 + 2]), "f"(c[l * 4 + 3]));
  d[l * 4] = d0; d[l * 4 + 1] = d1; d[l * 4 + 2] = d2; d[l * 4 + 3] = d3;
}
extern "C" __global__ void mma_f16_k16(const unsigned* a, const unsigned* b, const float* c, float* d) {
  int l = threadIdx.x;
  float d0, d1, d2, d3;
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
               : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
               : "r"(a[l * 4]), "r"(a[l * 4 + 1]), "r"(a[l * 4 + 2]), "r"(a[l * 4 + 3]), "r"(b[l * 2]), "r"(b[l * 2 + 1]),
                 "f"(c[l * 4]), "f"(c[l * 4 + 1]), "f"(c[l * 4 + 2]), "f"(c[l * 4 + 3]));
  d[l * 4] = d0; d[l * 4 + 1] = d1; d[l * 4 + 2] = d2; d[l * 4 + 3] = d3;
}
extern "C" __global__ void mma_bf16_k8(const unsigned* a, const unsigned* b, const float* c, float* d) {
  int l = threadIdx.x;
  float d0, d1, d2, d3;
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5}, {%6}, {%7,%8,%9,%10};"
               : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
               : "r"(a[l * 2]), "r"(a[l * 2 + 1]), "r"(b[l]), "f"(c[l * 4]), "f"(c[l * 4 + 1]), "f"(c[l * 4 + 2]), "f"(c[l * 4 + 3]));
  d[l * 4] = d0; d[l * 4 + 1] = d1; d[l * 4 + 2] = d2; d[l * 4 + 3] = d3;
}
// f16 accumulator: c and d are two f16x2 registers per lane.
extern "C" __global__ void mma_f16acc_k16(const unsigned* a, const unsigned* b, const unsigned* c, unsigned* d) {
  int l = threadIdx.x;
  unsigned d0, d1;
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f16.f16.f16.f16 {%0,%1}, {%2,%3,%4,%5}, {%6,%7}, {%8,%9};"
               : "=r"(d0), "=r"(d1)
               : "r"(a[l * 4]), "r"(a[l * 4 + 1]), "r"(a[l * 4 + 2]), "r"(a[l * 4 + 3]), "r"(b[l * 2]), "r"(b[l * 2 + 1]),
                 "r"(c[l * 2]), "r"(c[l * 2 + 1]));
  d[l * 2] = d0; d[l * 2 + 1] = d1;
}
// An mma issued by half a warp: must be refused.
extern "C" __global__ void mma_divergent(const unsigned* a, float* d) {
  int l = threadIdx.x;
  if (l < 16) {
    float d0, d1, d2, d3;
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%4,%4,%4}, {%4,%4}, {%5,%5,%5,%5};"
                 : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3) : "r"(a[l]), "f"(0.0f));
    d[l] = d0 + d1 + d2 + d3;
  }
}

// ldmatrix: 512 16-bit values copied to shared; lane l points at element rowStart[l]; variant picks the form.
extern "C" __global__ void ldmatrix_forms(const unsigned short* src, const int* rowStart, unsigned* out, int variant) {
  __shared__ __align__(16) unsigned short tile[512];
  int l = threadIdx.x;
  for (int i = l; i < 512; i += 32) tile[i] = src[i];
  __syncthreads();
  unsigned p = smem(tile + rowStart[l]);
  unsigned r0 = 0, r1 = 0, r2 = 0, r3 = 0;
  switch (variant) {
    case 0: asm volatile("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%0}, [%1];" : "=r"(r0) : "r"(p)); break;
    case 1: asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];" : "=r"(r0), "=r"(r1) : "r"(p)); break;
    case 2: asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];" : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(p)); break;
    case 3: asm volatile("ldmatrix.sync.aligned.m8n8.x1.trans.shared.b16 {%0}, [%1];" : "=r"(r0) : "r"(p)); break;
    case 4: asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0,%1}, [%2];" : "=r"(r0), "=r"(r1) : "r"(p)); break;
    default: asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared::cta.b16 {%0,%1,%2,%3}, [%4];" : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(p)); break;
  }
  out[l * 4] = r0; out[l * 4 + 1] = r1; out[l * 4 + 2] = r2; out[l * 4 + 3] = r3;
}

// cp.async of 16 bytes per lane with a src-size operand (bytes past it are zero) and the ignore-src form.
extern "C" __global__ void cp_async_fill(const int4* src, const int* sizes, int4* out, int4* ignored) {
  __shared__ int4 buf[64];
  int l = threadIdx.x;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" :: "r"(smem(buf + l)), "l"(src + l), "r"(sizes[l]));
  asm volatile("{ .reg .pred p; setp.ne.b32 p, %2, 0; cp.async.ca.shared.global [%0], [%1], 16, p; }"
               :: "r"(smem(buf + 32 + l)), "l"(src + l), "r"(l & 1));
  asm volatile("cp.async.wait_all;");
  out[l] = buf[l];
  ignored[l] = buf[32 + l];
}

// Two groups of 4-, 8- and 16-byte copies; wait_group 1 retires only the first. readEarly reads the second too soon.
extern "C" __global__ void cp_async_groups(const int* src, int* out, int readEarly) {
  __shared__ __align__(16) int buf[256];
  int l = threadIdx.x;
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" :: "r"(smem(buf + l)), "l"(src + l));
  asm volatile("cp.async.ca.shared.global [%0], [%1], 8;" :: "r"(smem(buf + 32 + 2 * l)), "l"(src + 32 + 2 * l));
  asm volatile("cp.async.commit_group;");
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(smem(buf + 96 + 4 * l)), "l"(src + 96 + 4 * l));
  asm volatile("cp.async.commit_group;");
  asm volatile("cp.async.wait_group 1;");
  int first = buf[l] + buf[32 + 2 * l] + buf[33 + 2 * l];
  int early = readEarly ? buf[96 + 4 * l] : 0;
  asm volatile("cp.async.wait_group 0;");
  out[l] = first;
  out[32 + l] = buf[96 + 4 * l] + buf[99 + 4 * l] + early;
}

// C[M x N] = A[M x K] * W[N x K]^T (bf16 in, f32 out), one warp per 16x8 tile of C: a two-stage cp.async
// pipeline over K in steps of 16, ldmatrix.x4 for A, ldmatrix.x2 for W and mma.m16n8k16.
// transB: B is stored [K x N] instead and loaded with ldmatrix.x2.trans.
extern "C" __global__ void gemm_tc(const __nv_bfloat16* A, const __nv_bfloat16* B, float* C, int M, int N, int K, int transB) {
  __shared__ __align__(16) __nv_bfloat16 sa[2][16 * 16];
  __shared__ __align__(16) __nv_bfloat16 sb[2][16 * 8];
  int l = threadIdx.x;
  int row0 = blockIdx.y * 16, col0 = blockIdx.x * 8;
  int steps = K / 16;
  auto load = [&](int stage, int kt) {
    // A: 16 rows x 32 bytes = 32 chunks of 16 bytes, one per lane.
    int r = l >> 1, h = l & 1;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(smem(&sa[stage][r * 16 + h * 8])), "l"(A + (size_t)(row0 + r) * K + kt * 16 + h * 8));
    if (l < 16) {
      if (!transB) {  // W rows n: 8 rows x 32 bytes
        int n = l >> 1;
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(smem(&sb[stage][n * 16 + h * 8])), "l"(B + (size_t)(col0 + n) * K + kt * 16 + h * 8));
      } else {        // B rows k: 16 rows x 16 bytes
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(smem(&sb[stage][l * 8])), "l"(B + (size_t)(kt * 16 + l) * N + col0));
      }
    }
    asm volatile("cp.async.commit_group;");
  };
  float acc[4] = {0, 0, 0, 0};
  load(0, 0);
  for (int kt = 0; kt < steps; kt++) {
    int stage = kt & 1;
    if (kt + 1 < steps) load(stage ^ 1, kt + 1);
    else asm volatile("cp.async.commit_group;");
    asm volatile("cp.async.wait_group 1;");
    __syncthreads();
    unsigned a0, a1, a2, a3, b0, b1;
    int m = l >> 3, r = l & 7;
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(a0), "=r"(a1), "=r"(a2), "=r"(a3) : "r"(smem(&sa[stage][(r + (m & 1) * 8) * 16 + (m >> 1) * 8])));
    if (!transB)
      asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];"
                   : "=r"(b0), "=r"(b1) : "r"(smem(&sb[stage][r * 16 + (m & 1) * 8])));
    else
      asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0,%1}, [%2];"
                   : "=r"(b0), "=r"(b1) : "r"(smem(&sb[stage][(l & 15) * 8])));
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                 : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
    __syncthreads();
  }
  int g = l >> 2, t = l & 3;
  C[(size_t)(row0 + g) * N + col0 + 2 * t] = acc[0];
  C[(size_t)(row0 + g) * N + col0 + 2 * t + 1] = acc[1];
  C[(size_t)(row0 + g + 8) * N + col0 + 2 * t] = acc[2];
  C[(size_t)(row0 + g + 8) * N + col0 + 2 * t + 1] = acc[3];
}
