using System.Numerics;
using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class IntegerOpsTests
{
    private static uint Bfe(uint a, int pos, int len, bool signed)
    {
        uint r = 0;
        int sbit = !signed || len == 0 ? 0 : (int)((a >> Math.Min(pos + len - 1, 31)) & 1);
        for (int k = 0; k < 32; k++)
        {
            uint bit = k < len && pos + k < 32 ? (a >> (pos + k)) & 1 : (uint)sbit;
            r |= bit << k;
        }
        return r;
    }

    [Test]
    public void EveryIntegerInstructionMatchesItsDefinition()
    {
        uint[] special = { 0, 1, 2, 31, 32, 33, 63, 64, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 12345, 0xDEADBEEF, 0x00FF00FF, 40 };
        var rng = new Random(7);
        var a = new List<uint>();
        var b = new List<uint>();
        foreach (var x in special) foreach (var y in special) { a.Add(x); b.Add(y); }
        for (int i = 0; i < 64; i++) { a.Add((uint)rng.NextInt64(0, 1L << 32)); b.Add((uint)rng.Next(0, 70)); }
        int n = a.Count;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "int_ops", "int_ops");
        var da = device.Upload<uint>(a.ToArray());
        var db = device.Upload<uint>(b.ToArray());
        var dout = device.Allocate(34L * n * 4);
        var dwide = device.Allocate(6L * n * 8);
        device.Launch(f, new LaunchConfig((n + 127) / 128, 128), new KernelArguments().Add(da).Add(db).Add(dout).Add(dwide).Add(n));
        var o = device.Download<uint>(dout);
        var w = device.Download<ulong>(dwide);
        for (int i = 0; i < n; i++)
        {
            uint x = a[i], y = b[i];
            int sx = (int)x, sy = (int)y;
            uint q = y == 0 ? 1 : y;
            int sq = (int)q;
            ulong la = ((ulong)x << 32) | y;
            var expected = new uint[]
            {
                x + y, x - y, x * y, (uint)(((long)sx * sy) >> 32), (uint)(((ulong)x * y) >> 32),
                (uint)Math.Min(sx, sy), Math.Min(x, y), (uint)Math.Max(sx, sy), Math.Max(x, y),
                y >= 32 ? 0 : x << (int)y, y >= 32 ? 0 : x >> (int)y, (uint)(sx >> (int)Math.Min(y, 31u)),
                (uint)(int)Math.Clamp((long)sx + sy, int.MinValue, int.MaxValue), (uint)(int)Math.Clamp((long)sx - sy, int.MinValue, int.MaxValue),
                x & y, x | y, x ^ y, ~x, (uint)-sx, sx == int.MinValue ? x : (uint)Math.Abs(sx),
                (uint)BitOperations.PopCount(x), (uint)BitOperations.LeadingZeroCount(x), ReverseBits(x),
                Bfe(x, (int)(y & 31), (int)((y >> 5) & 31), false), Bfe(x, (int)(y & 31), (int)((y >> 5) & 31), true),
                Bfi(x, y, (int)(y & 31), (int)((y >> 5) & 31)), Prmt(x, y, y >> 16),
                x / q, x % q, sq == -1 ? (uint)(-sx) : (uint)(sx / sq), sq == -1 ? 0 : (uint)(sx % sq), x * y + (x ^ y),
                sx < sy ? 1u : 0u, x < y ? 1u : 0u,
            };
            for (int k = 0; k < expected.Length; k++)
                Assert.That(o[k * n + i], Is.EqualTo(expected[k]), $"op {k} a=0x{x:X} b=0x{y:X}");
            var wideExpected = new ulong[]
            {
                (ulong)((long)sx * sy), (ulong)x * y, (ulong)x * y + ((ulong)x << 20),
                (y & 127) >= 64 ? 0 : la << (int)(y & 127), (ulong)((long)la >> (int)Math.Min(y & 127, 63u)),
                (ulong)(((UInt128)la * (la * 3)) >> 64),
            };
            for (int k = 0; k < wideExpected.Length; k++)
                Assert.That(w[k * n + i], Is.EqualTo(wideExpected[k]), $"wide op {k} a=0x{x:X} b=0x{y:X}");
        }
    }

    private static uint ReverseBits(uint x)
    {
        uint r = 0;
        for (int k = 0; k < 32; k++) r |= ((x >> k) & 1) << (31 - k);
        return r;
    }

    private static uint Bfi(uint a, uint b, int pos, int len)
    {
        uint f = b;
        for (int k = 0; k < len && pos + k < 32; k++)
        {
            uint bit = 1u << (pos + k);
            f = ((a >> k) & 1) != 0 ? f | bit : f & ~bit;
        }
        return f;
    }

    private static uint Prmt(uint a, uint b, uint c)
    {
        ulong bytes = a | ((ulong)b << 32);
        uint r = 0;
        for (int k = 0; k < 4; k++)
        {
            int sel = (int)(c >> (4 * k)) & 0xF;
            uint v = (uint)(bytes >> (8 * (sel & 7))) & 0xFF;
            if ((sel & 8) != 0) v = (v & 0x80) != 0 ? 0xFFu : 0u;
            r |= v << (8 * k);
        }
        return r;
    }

    /// <summary>bfind against the ISA's definition, written out here bit by bit: every width, signedness and form.</summary>
    [Test]
    public void BfindFindsTheTopBitOrTheTopNonSignBit()
    {
        uint[] a = [0, 1, 2, 3, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, 0x00010000, 0xC0000000, 12345, 0xDEADBEEF];
        uint[] b = [0, 0, 1, 0x80000000, 5, 0xFFFFFFFF, 0, 0xFFFFFFFF, 9, 0, 0, 77];
        int n = a.Length;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "int_ops", "bfind_ops");
        var dout = device.Allocate(8L * n * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(device.Upload<uint>(a)).Add(device.Upload<uint>(b)).Add(dout).Add(n));
        var o = device.Download<uint>(dout);
        for (int i = 0; i < n; i++)
        {
            ulong wide = ((ulong)a[i] << 32) | b[i];
            uint[] expected =
            [
                Bfind(a[i], 32, false, false), Bfind(a[i], 32, true, false), Bfind(a[i], 32, false, true), Bfind(a[i], 32, true, true),
                Bfind(wide, 64, false, false), Bfind(wide, 64, true, false), Bfind(wide, 64, false, true), Bfind(wide, 64, true, true),
            ];
            for (int k = 0; k < expected.Length; k++)
                Assert.That(o[k * n + i], Is.EqualTo(expected[k]), $"form {k} of a=0x{a[i]:X8} b=0x{b[i]:X8}");
        }
    }

    /// <summary>Scans from the top for the first bit that is 1 (unsigned) or differs from the sign bit (signed).</summary>
    private static uint Bfind(ulong value, int bits, bool signed, bool shiftAmount)
    {
        var lookFor = signed ? 1 - (int)((value >> (bits - 1)) & 1) : 1;
        for (var p = signed ? bits - 2 : bits - 1; p >= 0; p--)
            if ((int)((value >> p) & 1) == lookFor) return (uint)(shiftAmount ? bits - 1 - p : p);
        return 0xFFFFFFFF;
    }
}
