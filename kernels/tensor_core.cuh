// tensor_core.cuh - thin wrappers over the sm_80 warp-level matrix instructions and asynchronous copies
// (inline PTX, so the fragment layouts are exactly the ones the PTX ISA documents):
//   mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32   D(16x8 f32) += A(16x16 bf16) * B(16x8 bf16)
//   ldmatrix.sync.aligned.m8n8.x4[.trans].shared.b16      four 8x8 b16 matrices, lane l addresses row l&7 of matrix l>>3
//   cp.async.cg.shared.global 16 bytes with a src-size     bytes past src-size are written as zero
// Fragment ownership (g = lane >> 2, t = lane & 3): A regs a0..a3 hold (row g, k 2t..2t+1), (g+8, 2t..), (g, 8+2t..),
// (g+8, 8+2t..); B regs b0, b1 hold (k 2t..2t+1, n g), (k 8+2t.., n g); C/D c0..c3 hold (g, 2t), (g, 2t+1), (g+8, 2t),
// (g+8, 2t+1).
#pragma once
#include "common.cuh"

namespace palicuda_tc {

__device__ __forceinline__ unsigned shared_address(const void* p) { return (unsigned)__cvta_generic_to_shared(p); }

// Copies 16 bytes global -> shared; only the first src_bytes (0 or 16 here) are read, the rest are zero-filled.
__device__ __forceinline__ void cp_async16(unsigned dst, const void* src, int src_bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory"); }
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;" ::: "memory"); }

__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], unsigned address) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
}
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], unsigned address) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
}

__device__ __forceinline__ void mma_bf16(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

}  // namespace palicuda_tc
