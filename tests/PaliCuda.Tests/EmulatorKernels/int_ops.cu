// Integer instructions, one per output slot, written as inline PTX so the exact instruction is tested.
#define OP2(k, ins) { unsigned r; asm(ins " %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); out[(k) * n + i] = r; }
#define OP1(k, ins) { unsigned r; asm(ins " %0, %1;" : "=r"(r) : "r"(a)); out[(k) * n + i] = r; }
extern "C" __global__ void int_ops(const unsigned* as, const unsigned* bs, unsigned* out, unsigned long long* wide, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  unsigned a = as[i], b = bs[i];
  OP2(0, "add.s32") OP2(1, "sub.s32") OP2(2, "mul.lo.s32") OP2(3, "mul.hi.s32") OP2(4, "mul.hi.u32")
  OP2(5, "min.s32") OP2(6, "min.u32") OP2(7, "max.s32") OP2(8, "max.u32")
  OP2(9, "shl.b32") OP2(10, "shr.u32") OP2(11, "shr.s32") OP2(12, "add.sat.s32") OP2(13, "sub.sat.s32")
  OP2(14, "and.b32") OP2(15, "or.b32") OP2(16, "xor.b32")
  OP1(17, "not.b32") OP1(18, "neg.s32") OP1(19, "abs.s32") OP1(20, "popc.b32") OP1(21, "clz.b32") OP1(22, "brev.b32")
  { unsigned r; asm("bfe.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b & 31), "r"((b >> 5) & 31)); out[23 * n + i] = r; }
  { unsigned r; asm("bfe.s32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b & 31), "r"((b >> 5) & 31)); out[24 * n + i] = r; }
  { unsigned r; asm("bfi.b32 %0, %1, %2, %3, %4;" : "=r"(r) : "r"(a), "r"(b), "r"(b & 31), "r"((b >> 5) & 31)); out[25 * n + i] = r; }
  { unsigned r; asm("prmt.b32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(b >> 16)); out[26 * n + i] = r; }
  unsigned q = b == 0 ? 1u : b;
  { unsigned r; asm("div.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(q)); out[27 * n + i] = r; }
  { unsigned r; asm("rem.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(q)); out[28 * n + i] = r; }
  { unsigned r; asm("div.s32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(q)); out[29 * n + i] = r; }
  { unsigned r; asm("rem.s32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(q)); out[30 * n + i] = r; }
  { unsigned r; asm("mad.lo.s32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(a ^ b)); out[31 * n + i] = r; }
  unsigned long long w;
  asm("mul.wide.s32 %0, %1, %2;" : "=l"(w) : "r"(a), "r"(b)); wide[0 * n + i] = w;
  asm("mul.wide.u32 %0, %1, %2;" : "=l"(w) : "r"(a), "r"(b)); wide[1 * n + i] = w;
  asm("mad.wide.u32 %0, %1, %2, %3;" : "=l"(w) : "r"(a), "r"(b), "l"((unsigned long long)a << 20)); wide[2 * n + i] = w;
  unsigned long long la = ((unsigned long long)a << 32) | b;
  asm("shl.b64 %0, %1, %2;" : "=l"(w) : "l"(la), "r"(b & 127)); wide[3 * n + i] = w;
  asm("shr.s64 %0, %1, %2;" : "=l"(w) : "l"(la), "r"(b & 127)); wide[4 * n + i] = w;
  asm("mul.hi.u64 %0, %1, %2;" : "=l"(w) : "l"(la), "l"(la * 3u)); wide[5 * n + i] = w;
  { int s; asm("{ .reg .pred p; setp.lt.s32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "r"(a), "r"(b)); out[32 * n + i] = s; }
  { int s; asm("{ .reg .pred p; setp.lo.u32 p, %1, %2; selp.s32 %0, 1, 0, p; }" : "=r"(s) : "r"(a), "r"(b)); out[33 * n + i] = s; }
}
// bfind of a[i] (and of the 64-bit value a:b): out[k * n + i] for k = u32, s32, u32.shiftamt, s32.shiftamt, u64, s64,
// u64.shiftamt, s64.shiftamt.
extern "C" __global__ void bfind_ops(const unsigned* as, const unsigned* bs, unsigned* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  unsigned a = as[i], r;
  unsigned long long la = ((unsigned long long)a << 32) | bs[i];
  asm("bfind.u32 %0, %1;" : "=r"(r) : "r"(a)); out[0 * n + i] = r;
  asm("bfind.s32 %0, %1;" : "=r"(r) : "r"(a)); out[1 * n + i] = r;
  asm("bfind.shiftamt.u32 %0, %1;" : "=r"(r) : "r"(a)); out[2 * n + i] = r;
  asm("bfind.shiftamt.s32 %0, %1;" : "=r"(r) : "r"(a)); out[3 * n + i] = r;
  asm("bfind.u64 %0, %1;" : "=r"(r) : "l"(la)); out[4 * n + i] = r;
  asm("bfind.s64 %0, %1;" : "=r"(r) : "l"(la)); out[5 * n + i] = r;
  asm("bfind.shiftamt.u64 %0, %1;" : "=r"(r) : "l"(la)); out[6 * n + i] = r;
  asm("bfind.shiftamt.s64 %0, %1;" : "=r"(r) : "l"(la)); out[7 * n + i] = r;
}
