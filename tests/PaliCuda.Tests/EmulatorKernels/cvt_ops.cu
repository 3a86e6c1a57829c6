// Conversions in every rounding mode, including bf16/f16 and the bf16x2 packing order.
#define CV(k, ins, T, dst, src, srcv) { T r; asm(ins " %0, %1;" : "=" dst(r) : src(srcv)); out[(k) * n + i] = (unsigned)r; }
extern "C" __global__ void cvt_ops(const float* fs, const int* is, const double* ds, unsigned* out, unsigned long long* wide, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float f = fs[i]; int x = is[i]; double d = ds[i];
  CV(0, "cvt.rni.s32.f32", int, "r", "f", f) CV(1, "cvt.rzi.s32.f32", int, "r", "f", f)
  CV(2, "cvt.rmi.s32.f32", int, "r", "f", f) CV(3, "cvt.rpi.s32.f32", int, "r", "f", f)
  CV(4, "cvt.rzi.u32.f32", unsigned, "r", "f", f) CV(5, "cvt.rni.s16.f32", short, "h", "f", f)
  CV(6, "cvt.rn.bf16.f32", unsigned short, "h", "f", f) CV(7, "cvt.rz.bf16.f32", unsigned short, "h", "f", f)
  CV(8, "cvt.rm.bf16.f32", unsigned short, "h", "f", f) CV(9, "cvt.rp.bf16.f32", unsigned short, "h", "f", f)
  CV(10, "cvt.rn.f16.f32", unsigned short, "h", "f", f) CV(11, "cvt.rz.f16.f32", unsigned short, "h", "f", f)
  { float r; asm("cvt.rn.f32.s32 %0, %1;" : "=f"(r) : "r"(x)); out[12 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rz.f32.s32 %0, %1;" : "=f"(r) : "r"(x)); out[13 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rm.f32.s32 %0, %1;" : "=f"(r) : "r"(x)); out[14 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rp.f32.s32 %0, %1;" : "=f"(r) : "r"(x)); out[15 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rn.f32.f64 %0, %1;" : "=f"(r) : "d"(d)); out[16 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rz.f32.f64 %0, %1;" : "=f"(r) : "d"(d)); out[17 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rm.f32.f64 %0, %1;" : "=f"(r) : "d"(d)); out[18 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rp.f32.f64 %0, %1;" : "=f"(r) : "d"(d)); out[19 * n + i] = __float_as_uint(r); }
  { unsigned r; asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(f), "f"((float)x)); out[20 * n + i] = r; }
  { float r; asm("cvt.sat.f32.f32 %0, %1;" : "=f"(r) : "f"(f)); out[21 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.rni.f32.f32 %0, %1;" : "=f"(r) : "f"(f)); out[22 * n + i] = __float_as_uint(r); }
  { float r; asm("cvt.ftz.f32.f32 %0, %1;" : "=f"(r) : "f"(f)); out[23 * n + i] = __float_as_uint(r); }
  { unsigned short h = (unsigned short)out[6 * n + i]; float r; asm("cvt.f32.bf16 %0, %1;" : "=f"(r) : "h"(h)); out[24 * n + i] = __float_as_uint(r); }
  { unsigned short h = (unsigned short)out[10 * n + i]; float r; asm("cvt.f32.f16 %0, %1;" : "=f"(r) : "h"(h)); out[25 * n + i] = __float_as_uint(r); }
  { short r; asm("cvt.s8.s32 %0, %1;" : "=h"(r) : "r"(x)); out[26 * n + i] = (unsigned)r & 0xFFu; }
  { short r; asm("cvt.sat.s8.s32 %0, %1;" : "=h"(r) : "r"(x)); out[27 * n + i] = (unsigned)r & 0xFFu; }
  { long long r; asm("cvt.rzi.s64.f64 %0, %1;" : "=l"(r) : "d"(d)); wide[0 * n + i] = r; }
  { long long r; asm("cvt.s64.s32 %0, %1;" : "=l"(r) : "r"(x)); wide[1 * n + i] = r; }
  { double r; asm("cvt.f64.f32 %0, %1;" : "=d"(r) : "f"(f)); wide[2 * n + i] = __double_as_longlong(r); }
}
