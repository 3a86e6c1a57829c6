namespace PaliCuda.Tests.Emulation;

/// <summary>
/// The PTX ISA's fragment tables for mma.m16n8k16 / m16n8k8 with 16-bit inputs, written out independently
/// of the emulator: lane l has groupID g = l / 4 and threadID_in_group t = l % 4.
/// </summary>
internal static class MmaFragmentLayout
{
    /// <summary>(row, k) of element i (0..7) of the A fragment: a0,a1 (g, 2t..), a2,a3 (g+8, 2t..), a4,a5 (g, 2t+8..), a6,a7 (g+8, 2t+8..).</summary>
    public static (int Row, int K) A(int lane, int i)
    {
        int g = lane / 4, t = lane % 4;
        int row = i is 0 or 1 or 4 or 5 ? g : g + 8;
        int k = i < 4 ? t * 2 + i % 2 : t * 2 + i % 2 + 8;
        return (row, k);
    }

    /// <summary>(k, n) of element i (0..3) of the B fragment: b0,b1 (2t.., g), b2,b3 (2t+8.., g).</summary>
    public static (int K, int N) B(int lane, int i)
    {
        int g = lane / 4, t = lane % 4;
        return (i < 2 ? t * 2 + i % 2 : t * 2 + i % 2 + 8, g);
    }

    /// <summary>(row, n) of element i (0..3) of the C/D fragment: c0,c1 (g, 2t..), c2,c3 (g+8, 2t..).</summary>
    public static (int Row, int N) C(int lane, int i)
    {
        int g = lane / 4, t = lane % 4;
        return (i < 2 ? g : g + 8, t * 2 + i % 2);
    }

    public static ushort BFloat16(float exact)
    {
        uint bits = (uint)BitConverter.SingleToInt32Bits(exact);
        if ((bits & 0xFFFF) != 0) throw new ArgumentException($"{exact} is not exactly a bf16 value");
        return (ushort)(bits >> 16);
    }

    public static ushort Half16(float exact)
    {
        var h = (Half)exact;
        if ((float)h != exact) throw new ArgumentException($"{exact} is not exactly an f16 value");
        return BitConverter.HalfToUInt16Bits(h);
    }

    /// <summary>Packs A (16 x k, row-major) into per-lane registers [lane * (k/4) + reg], two elements per register, low half first.</summary>
    public static uint[] PackA(float[] a, int k, Func<float, ushort> encode)
    {
        int regs = k / 4;
        var r = new uint[32 * regs];
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < regs * 2; i++)
            {
                var (row, kk) = A(lane, i);
                r[lane * regs + i / 2] |= (uint)encode(a[row * k + kk]) << (16 * (i % 2));
            }
        return r;
    }

    /// <summary>Packs B (k x 8, row-major) into per-lane registers [lane * (k/8) + reg].</summary>
    public static uint[] PackB(float[] b, int k, Func<float, ushort> encode)
    {
        int regs = k / 8;
        var r = new uint[32 * regs];
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < regs * 2; i++)
            {
                var (kk, n) = B(lane, i);
                r[lane * regs + i / 2] |= (uint)encode(b[kk * 8 + n]) << (16 * (i % 2));
            }
        return r;
    }
}
