// Divergent control flow: nested branches, lane-dependent loops, early exit; __activemask() observes
// which lanes run together, so reconvergence is visible in the output.
extern "C" __global__ void divergence(int* out, unsigned* masks, int n) {
  int t = threadIdx.x;
  int v = 0;
  if (t & 1) {
    v = 10;
    if (t & 2) { v += 100; masks[t * 4 + 0] = __activemask(); }
    else { v += 200; masks[t * 4 + 0] = __activemask(); }
  } else {
    v = 20;
    masks[t * 4 + 0] = __activemask();
  }
  masks[t * 4 + 1] = __activemask();
  for (int i = 0; i < (t % 5); i++) {
    v += i * 3;
    if (i == 2) continue;
    v ^= 1;
  }
  masks[t * 4 + 2] = __activemask();
  int k = t;
  while (k > 1) { k = (k & 1) ? 3 * k + 1 : k / 2; v++; }
  masks[t * 4 + 3] = __activemask();
  if (t >= n) return;
  out[t] = v;
}
