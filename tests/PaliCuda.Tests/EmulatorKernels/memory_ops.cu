// Loads and stores of every width, vectors, signed sub-word loads, local arrays, const and global tables,
// and a by-value struct parameter.
struct Params { int scale; float bias; long long offset; };
__constant__ int kTable[4] = {3, 5, 7, 11};
__device__ float gTable[4] = {0.5f, 1.5f, 2.5f, 3.5f};
extern "C" __global__ void memory_mix(const float4* v4, const int2* v2, const signed char* s8, const short* s16,
                                      const unsigned char* u8, float* out, long long* wide, Params p, int pick) {
  int t = threadIdx.x;
  float local[8];
  for (int i = 0; i < 8; i++) local[i] = t * i + p.bias;
  float4 a = v4[t];
  int2 b = v2[t];
  out[t * 4 + 0] = a.x + a.y + a.z + a.w;
  out[t * 4 + 1] = (float)(b.x - b.y) * p.scale;
  out[t * 4 + 2] = local[pick & 7] + gTable[t & 3] + kTable[t & 3];
  out[t * 4 + 3] = (float)s8[t] + (float)s16[t] + (float)u8[t];
  wide[t] = p.offset + (long long)s8[t] * 1000000007LL;
  float4 r = make_float4(a.w, a.z, a.y, a.x);
  reinterpret_cast<float4*>(out)[32 + t] = r;
}
