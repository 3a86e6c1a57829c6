using System.Buffers.Binary;

namespace PaliCuda.Emulation;

// Warp-wide matrix instructions. Fragment layouts follow the PTX ISA tables for mma.m16n8k16 / m16n8k8
// with 16-bit inputs and for ldmatrix.m8n8: lane l has groupID g = l >> 2 and threadID_in_group t = l & 3.
internal sealed partial class KernelExecution
{
    /// <summary>mma and ldmatrix are .sync.aligned: every lane of a full warp must execute them together.</summary>
    private void RequireFullWarp(uint m, WarpState w, string what)
    {
        if (m != uint.MaxValue || w.Exists != uint.MaxValue)
            throw Fail(LowestLane(m), $"{what} must be executed by all 32 lanes of a full warp (executing lanes 0x{m:X8})", null);
    }

    /// <summary>Row (0..15) of the i-th 16-bit element of an A fragment: a0,a1,a4,a5 in row g; a2,a3,a6,a7 in row g + 8.</summary>
    internal static int MmaARow(int lane, int i) => (lane >> 2) + ((i >> 1) & 1) * 8;

    /// <summary>Column (k) of the i-th A element: 2t + (i &amp; 1), plus 8 for a4..a7.</summary>
    internal static int MmaACol(int lane, int i) => (lane & 3) * 2 + (i & 1) + (i >= 4 ? 8 : 0);

    /// <summary>Row (k) of the i-th B element: 2t + (i &amp; 1), plus 8 for b2, b3.</summary>
    internal static int MmaBRow(int lane, int i) => (lane & 3) * 2 + (i & 1) + (i >= 2 ? 8 : 0);

    /// <summary>Column (n) of every B element of a lane: g.</summary>
    internal static int MmaBCol(int lane) => lane >> 2;

    /// <summary>Row of the i-th C/D element: g for c0, c1 and g + 8 for c2, c3.</summary>
    internal static int MmaCRow(int lane, int i) => (lane >> 2) + (i >= 2 ? 8 : 0);

    /// <summary>Column of the i-th C/D element: 2t + (i &amp; 1).</summary>
    internal static int MmaCCol(int lane, int i) => (lane & 3) * 2 + (i & 1);

    /// <summary>
    /// D = A·B + C for a 16×8 tile. Every product of two f16 or bf16 values is exact in f64 (at most 22
    /// significant bits), so the emulator adds C and the K products in f64 (in k order; the f64 sum is
    /// within 17·2^-53·Σ|term| of the exact one) and rounds once to the accumulator type, nearest-even.
    /// The GPU's internal order and intermediate width are unspecified: it may differ from this by a few
    /// f32 ulps of Σ|term|, and agrees bit for bit whenever every partial sum is exact.
    /// </summary>
    private void Mma(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        RequireFullWarp(m, w, "mma.sync");
        int k = ins.SubOp;
        bool f32Accumulator = ins.Type == PtxType.F32;
        bool bf16 = ins.SrcType == PtxType.BF16;
        int accRegs = f32Accumulator ? 4 : 2, aRegs = k == 16 ? 4 : 2, bRegs = k == 16 ? 2 : 1;
        int dStart = ins.VectorStart, aStart = dStart + accRegs, bStart = aStart + aRegs, cStart = bStart + bRegs;
        Span<double> a = stackalloc double[16 * 16];
        Span<double> b = stackalloc double[16 * 8];
        Span<double> c = stackalloc double[16 * 8];
        for (int lane = 0; lane < 32; lane++)
        {
            for (int i = 0; i < aRegs * 2; i++)
                a[MmaARow(lane, i) * k + MmaACol(lane, i)] = Half16(R[_pool[aStart + i / 2] * 32 + lane] >> (16 * (i & 1)), bf16);
            for (int i = 0; i < bRegs * 2; i++)
                b[MmaBRow(lane, i) * 8 + MmaBCol(lane)] = Half16(R[_pool[bStart + i / 2] * 32 + lane] >> (16 * (i & 1)), bf16);
            for (int i = 0; i < 4; i++)
            {
                c[MmaCRow(lane, i) * 8 + MmaCCol(lane, i)] = f32Accumulator
                    ? FloatMath.Single(R[_pool[cStart + i] * 32 + lane])
                    : FloatMath.HalfToSingle(R[_pool[cStart + i / 2] * 32 + lane] >> (16 * (i & 1)));
            }
        }
        Span<double> d = stackalloc double[16 * 8];
        for (int row = 0; row < 16; row++)
            for (int n = 0; n < 8; n++)
            {
                double sum = c[row * 8 + n];
                for (int kk = 0; kk < k; kk++) sum += a[row * k + kk] * b[kk * 8 + n];
                d[row * 8 + n] = sum;
            }
        for (int lane = 0; lane < 32; lane++)
        {
            if (f32Accumulator)
            {
                for (int i = 0; i < 4; i++)
                    R[_pool[dStart + i] * 32 + lane] = FloatMath.Bits((float)d[MmaCRow(lane, i) * 8 + MmaCCol(lane, i)]);
            }
            else
            {
                for (int r = 0; r < 2; r++)
                {
                    ulong lo = ToHalf(d[MmaCRow(lane, 2 * r) * 8 + MmaCCol(lane, 2 * r)]);
                    ulong hi = ToHalf(d[MmaCRow(lane, 2 * r + 1) * 8 + MmaCCol(lane, 2 * r + 1)]);
                    R[_pool[dStart + r] * 32 + lane] = lo | hi << 16;
                }
            }
        }

        static double Half16(ulong bits, bool bf16) => bf16 ? FloatMath.BFloat16ToSingle(bits) : FloatMath.HalfToSingle(bits);

        // Round to odd f32 first so the second rounding to f16 is the correctly rounded one.
        static ulong ToHalf(double x) => FloatMath.SingleToHalf(FloatMath.DoubleToSingleOdd(x), RoundingMode.Rn);
    }

    /// <summary>
    /// ldmatrix.m8n8.xN.b16: lanes 8i..8i+7 give the row addresses (16 bytes each, 16-byte aligned) of matrix i.
    /// Without .trans lane l receives row l/4, columns 2(l%4) and 2(l%4)+1 of each matrix (low half first);
    /// with .trans it receives rows 2(l%4) and 2(l%4)+1 of column l/4.
    /// </summary>
    private void Ldmatrix(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        RequireFullWarp(m, w, "ldmatrix.sync");
        int count = ins.SubOp;
        Span<ushort> matrices = stackalloc ushort[4 * 64];
        for (int i = 0; i < count; i++)
        {
            for (int row = 0; row < 8; row++)
            {
                int lane = i * 8 + row;
                ulong address = R[ins.A * 32 + lane] + (ulong)ins.Offset;
                var region = Resolve(ins.Space, address, 16, lane, w, out int offset);
                if (region != _shared) throw Fail(lane, "ldmatrix row address is not in shared memory", address);
                CheckSharedRead(offset, 16, lane, w, address);
                CheckInitialized(region, offset, 16, lane, address);
                for (int e = 0; e < 8; e++)
                    matrices[i * 64 + row * 8 + e] = BinaryPrimitives.ReadUInt16LittleEndian(region.Data.AsSpan(offset + 2 * e));
            }
        }
        bool transpose = (ins.Flags & InstrFlags.Transpose) != 0;
        for (int lane = 0; lane < 32; lane++)
        {
            int g = lane >> 2, t2 = (lane & 3) * 2;
            for (int i = 0; i < count; i++)
            {
                int baseIndex = i * 64;
                ulong lo = transpose ? matrices[baseIndex + t2 * 8 + g] : matrices[baseIndex + g * 8 + t2];
                ulong hi = transpose ? matrices[baseIndex + (t2 + 1) * 8 + g] : matrices[baseIndex + g * 8 + t2 + 1];
                R[_pool[ins.VectorStart + i] * 32 + lane] = lo | hi << 16;
            }
        }
    }
}
