// f32 instructions in every rounding mode and with .ftz/.sat, as inline PTX; results are raw bits.
#define F2(k, ins) { float r; asm(ins " %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b)); out[(k) * n + i] = r; }
#define F1(k, ins) { float r; asm(ins " %0, %1;" : "=f"(r) : "f"(a)); out[(k) * n + i] = r; }
#define F3(k, ins) { float r; asm(ins " %0, %1, %2, %3;" : "=f"(r) : "f"(a), "f"(b), "f"(c)); out[(k) * n + i] = r; }
extern "C" __global__ void float_ops(const float* as, const float* bs, const float* cs, float* out, int* flags, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float a = as[i], b = bs[i], c = cs[i];
  F2(0, "add.rn.f32") F2(1, "add.rz.f32") F2(2, "add.rm.f32") F2(3, "add.rp.f32")
  F2(4, "sub.rn.f32") F2(5, "mul.rn.f32") F2(6, "mul.rz.f32") F2(7, "mul.rm.f32") F2(8, "mul.rp.f32")
  F3(9, "fma.rn.f32") F3(10, "fma.rz.f32") F3(11, "fma.rm.f32") F3(12, "fma.rp.f32")
  F2(13, "div.rn.f32") F2(14, "div.rz.f32") F2(15, "div.rm.f32") F2(16, "div.rp.f32")
  F2(17, "min.f32") F2(18, "max.f32") F2(19, "min.NaN.f32") F2(20, "max.NaN.f32")
  F2(21, "add.ftz.f32") F2(22, "mul.ftz.f32") F2(23, "add.sat.f32") F3(24, "fma.rn.ftz.sat.f32")
  F1(25, "sqrt.rn.f32") F1(26, "neg.f32") F1(27, "abs.f32") F1(28, "rcp.rn.f32") F1(29, "sqrt.rz.f32")
  F2(30, "sub.rm.f32")
  { int s; asm("{ .reg .pred p, q; setp.lt.f32 p|q, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "f"(a), "f"(b)); flags[0 * n + i] = s; }
  { int s; asm("{ .reg .pred p; setp.ltu.f32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "f"(a), "f"(b)); flags[1 * n + i] = s; }
  { int s; asm("{ .reg .pred p; setp.neu.f32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "f"(a), "f"(b)); flags[2 * n + i] = s; }
  { int s; asm("{ .reg .pred p; setp.ne.f32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "f"(a), "f"(b)); flags[3 * n + i] = s; }
  { int s; asm("{ .reg .pred p; setp.nan.f32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "f"(a), "f"(b)); flags[4 * n + i] = s; }
  { int s; asm("{ .reg .pred p; setp.ge.f32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "f"(a), "f"(b)); flags[5 * n + i] = s; }
}
