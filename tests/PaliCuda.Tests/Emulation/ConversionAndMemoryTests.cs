using System.Runtime.InteropServices;
using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

/// <summary>cvt_ops.cu and memory_ops.cu against C# oracles written from the PTX ISA's conversion and memory rules.</summary>
public class ConversionAndMemoryTests
{
    private static readonly float[] Floats =
    {
        0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.7f, 3.3f, 1e10f, -1e10f, float.NaN, 1.00390625f, 1e-40f, -1e-40f,
        65520f, 0.999f, 1.0000001f, 123456.79f, -0f, 7f, -70000.3f, 1.01171875f, -1.00390625f,
    };
    private static readonly int[] Ints =
    {
        0, 1, -1, 16777217, -16777217, int.MaxValue, int.MinValue, 300, -200, 127, 128, -129, 33554435, -33554435,
        5, 255, 256, -256, 1 << 30, 99999999, -7, 42,
    };
    private static readonly double[] Doubles =
    {
        0.1, -0.1, 1e300, -1e300, 1.0000000596046448, 3.4028235677973366e38, 1e-50, -1e-50, 2.5, -2.5, 1e19, -1e19,
        9.2233720368547758e18, double.NaN, 0, 1.5, 123456789.123, -98765.4321, 1.401298464324817e-45, 7.1e-46, 33.75, -0.0,
    };

    private enum Rounding { Nearest, Zero, Down, Up }

    /// <summary>Rounds an exactly known value (a double holding it) to f32 in a directed mode, stepping from the nearest.</summary>
    private static float ToSingle(double exact, Rounding mode)
    {
        float r = (float)exact;
        if (double.IsNaN(exact)) return float.NaN;
        return mode switch
        {
            Rounding.Zero when Math.Abs((double)r) > Math.Abs(exact) => r > 0 ? MathF.BitDecrement(r) : MathF.BitIncrement(r),
            Rounding.Down when r > exact => MathF.BitDecrement(r),
            Rounding.Up when r < exact => MathF.BitIncrement(r),
            _ => r,
        };
    }

    private static ushort Bf16(float f, Rounding mode)
    {
        if (float.IsNaN(f)) return 0x7FFF;
        uint bits = (uint)BitConverter.SingleToInt32Bits(f);
        uint hi = bits >> 16, lo = bits & 0xFFFF;
        bool negative = f < 0 || (f == 0 && bits >> 31 != 0);
        return mode switch
        {
            Rounding.Zero => (ushort)hi,
            Rounding.Up => (ushort)(lo != 0 && !negative ? hi + 1 : hi),
            Rounding.Down => (ushort)(lo != 0 && negative ? hi + 1 : hi),
            _ => (ushort)(lo > 0x8000 || (lo == 0x8000 && (hi & 1) != 0) ? hi + 1 : hi),
        };
    }

    private static ushort F16(float f, Rounding mode)
    {
        if (float.IsNaN(f)) return 0x7FFF;
        var h = (Half)f;
        if (mode == Rounding.Zero && Math.Abs((float)h) > Math.Abs(f)) h = (float)h > 0 ? Half.BitDecrement(h) : Half.BitIncrement(h);
        return BitConverter.HalfToUInt16Bits(h);
    }

    /// <summary>Float to integer: round as asked, NaN to 0, clamp to the destination range (PTX saturates by default).</summary>
    private static long ToInt(double v, Func<double, double> round, long min, long max) =>
        double.IsNaN(v) ? 0 : (long)Math.Clamp(round(v), min, max);

    [Test]
    public void ConversionsFollowTheIsaInEveryRoundingMode()
    {
        int n = Floats.Length;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "cvt_ops", "cvt_ops");
        var dout = device.Allocate(28L * n * 4);
        var dwide = device.Allocate(3L * n * 8);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments()
            .Add(device.Upload<float>(Floats)).Add(device.Upload<int>(Ints)).Add(device.Upload<double>(Doubles)).Add(dout).Add(dwide).Add(n));
        var o = device.Download<uint>(dout);
        var w = device.Download<long>(dwide);
        for (int i = 0; i < n; i++)
        {
            float x = Floats[i];
            int k = Ints[i];
            double d = Doubles[i];
            uint Bits(float v) => float.IsNaN(v) ? 0x7FFFFFFFu : (uint)BitConverter.SingleToInt32Bits(v);
            var expected = new uint[28];
            expected[0] = (uint)ToInt(x, v => Math.Round(v, MidpointRounding.ToEven), int.MinValue, int.MaxValue);
            expected[1] = (uint)ToInt(x, Math.Truncate, int.MinValue, int.MaxValue);
            expected[2] = (uint)ToInt(x, Math.Floor, int.MinValue, int.MaxValue);
            expected[3] = (uint)ToInt(x, Math.Ceiling, int.MinValue, int.MaxValue);
            expected[4] = (uint)ToInt(x, Math.Truncate, 0, uint.MaxValue);
            expected[5] = (uint)(int)(short)ToInt(x, v => Math.Round(v, MidpointRounding.ToEven), short.MinValue, short.MaxValue);
            expected[6] = Bf16(x, Rounding.Nearest);
            expected[7] = Bf16(x, Rounding.Zero);
            expected[8] = Bf16(x, Rounding.Down);
            expected[9] = Bf16(x, Rounding.Up);
            expected[10] = F16(x, Rounding.Nearest);
            expected[11] = F16(x, Rounding.Zero);
            expected[12] = Bits(ToSingle(k, Rounding.Nearest));
            expected[13] = Bits(ToSingle(k, Rounding.Zero));
            expected[14] = Bits(ToSingle(k, Rounding.Down));
            expected[15] = Bits(ToSingle(k, Rounding.Up));
            expected[16] = Bits(ToSingle(d, Rounding.Nearest));
            expected[17] = Bits(ToSingle(d, Rounding.Zero));
            expected[18] = Bits(ToSingle(d, Rounding.Down));
            expected[19] = Bits(ToSingle(d, Rounding.Up));
            // bf16x2: the first source lands in the upper half, the second in the lower half.
            expected[20] = (uint)Bf16(x, Rounding.Nearest) << 16 | Bf16((float)k, Rounding.Nearest);
            expected[21] = Bits(float.IsNaN(x) ? 0f : Math.Clamp(x, 0f, 1f) == 0 ? 0f : Math.Clamp(x, 0f, 1f));
            expected[22] = Bits(MathF.Round(x, MidpointRounding.ToEven));
            expected[23] = Bits(float.IsSubnormal(x) ? (x < 0 ? -0f : 0f) : x);
            expected[24] = Bits(BitConverter.Int32BitsToSingle(Bf16(x, Rounding.Nearest) << 16));
            expected[25] = Bits((float)BitConverter.UInt16BitsToHalf(F16(x, Rounding.Nearest)));
            expected[26] = (uint)k & 0xFF;
            expected[27] = (uint)Math.Clamp(k, -128, 127) & 0xFF;
            for (int c = 0; c < 28; c++)
                Assert.That(o[c * n + i], Is.EqualTo(expected[c]), $"conversion {c} of input {i} (f={x:R}, i={k}, d={d:R})");
            Assert.That(w[i], Is.EqualTo(ToInt(d, Math.Truncate, long.MinValue, long.MaxValue)), $"cvt.rzi.s64.f64 {d:R}");
            Assert.That(w[n + i], Is.EqualTo((long)k), $"cvt.s64.s32 {k}");
            double widened = BitConverter.Int64BitsToDouble(w[2 * n + i]);
            if (float.IsNaN(x)) Assert.That(double.IsNaN(widened), $"cvt.f64.f32 NaN");
            else Assert.That(BitConverter.DoubleToInt64Bits(widened), Is.EqualTo(BitConverter.DoubleToInt64Bits(x)), $"cvt.f64.f32 {x:R}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Params
    {
        public int Scale;
        public float Bias;
        public long Offset;
    }

    [Test]
    public void SubWordVectorConstGlobalAndStructParametersLoadAndStore()
    {
        const int threads = 32;
        const int pick = 5;
        int[] kTable = { 3, 5, 7, 11 };
        float[] gTable = { 0.5f, 1.5f, 2.5f, 3.5f };
        var v4 = Enumerable.Range(0, threads * 4).Select(i => i * 1.25f - 7f).ToArray();
        var v2 = Enumerable.Range(0, threads * 2).Select(i => i * 37 - 500).ToArray();
        var s8 = Enumerable.Range(0, threads).Select(i => (sbyte)(i * 9 - 128)).ToArray();
        var s16 = Enumerable.Range(0, threads).Select(i => (short)(i * 2011 - 32000)).ToArray();
        var u8 = Enumerable.Range(0, threads).Select(i => (byte)(255 - i * 7)).ToArray();
        var p = new Params { Scale = -3, Bias = 0.25f, Offset = 1L << 40 };
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "memory_ops", "memory_mix");
        var dout = device.Allocate((threads * 4 + threads * 4) * 4);
        var dwide = device.Allocate(threads * 8);
        device.Launch(f, new LaunchConfig(1, threads), new KernelArguments()
            .Add(device.Upload<float>(v4)).Add(device.Upload<int>(v2)).Add(device.Upload<sbyte>(s8)).Add(device.Upload<short>(s16))
            .Add(device.Upload<byte>(u8)).Add(dout).Add(dwide).AddStruct(p).Add(pick));
        var o = device.Download<float>(dout);
        var w = device.Download<long>(dwide);
        for (int t = 0; t < threads; t++)
        {
            Assert.That(o[t * 4], Is.EqualTo(v4[t * 4] + v4[t * 4 + 1] + v4[t * 4 + 2] + v4[t * 4 + 3]), $"float4 load, thread {t}");
            Assert.That(o[t * 4 + 1], Is.EqualTo((float)(v2[t * 2] - v2[t * 2 + 1]) * p.Scale), $"int2 load and struct int, thread {t}");
            Assert.That(o[t * 4 + 2], Is.EqualTo((float)t * pick + p.Bias + gTable[t & 3] + kTable[t & 3]), $"local, global and const tables, thread {t}");
            Assert.That(o[t * 4 + 3], Is.EqualTo((float)s8[t] + (float)s16[t] + (float)u8[t]), $"sign/zero-extending sub-word loads, thread {t}");
            Assert.That(w[t], Is.EqualTo(p.Offset + s8[t] * 1000000007L), $"struct long and s8 widening, thread {t}");
            for (int e = 0; e < 4; e++)
                Assert.That(o[(32 + t) * 4 + e], Is.EqualTo(v4[t * 4 + 3 - e]), $"float4 store element {e}, thread {t}");
        }
    }
}
