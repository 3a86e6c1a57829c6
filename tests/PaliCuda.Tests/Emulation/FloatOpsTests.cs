using System.Numerics;
using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

/// <summary>f32 arithmetic in all rounding modes, checked bit-exactly against an exact rational oracle
/// (independent of the emulator's double-pair technique).</summary>
public class FloatOpsTests
{
    private enum Mode { Rn, Rz, Rm, Rp }

    /// <summary>A finite float as num / den with den a power of two.</summary>
    private static (BigInteger Num, BigInteger Den) Exact(float f)
    {
        int bits = BitConverter.SingleToInt32Bits(f);
        int exp = (bits >> 23) & 0xFF;
        BigInteger mant = bits & 0x7FFFFF;
        if (exp != 0) mant += 1 << 23; else exp = 1;
        if ((bits & int.MinValue) != 0) mant = -mant;
        int e = exp - 150;
        return e >= 0 ? (mant << e, BigInteger.One) : (mant, BigInteger.One << -e);
    }

    private static int Compare(float f, BigInteger num, BigInteger den)
    {
        var (fn, fd) = Exact(f);
        return (fn * den).CompareTo(num * fd); // den, fd > 0
    }

    private static float Round(BigInteger num, BigInteger den, Mode mode)
    {
        if (den.Sign < 0) { num = -num; den = -den; }
        if (Compare(float.MaxValue, BigInteger.Abs(num), den) < 0)
        {
            bool toInfinity = mode == Mode.Rn || (mode == Mode.Rp && num.Sign > 0) || (mode == Mode.Rm && num.Sign < 0);
            float big = toInfinity ? float.PositiveInfinity : float.MaxValue;
            return num.Sign > 0 ? big : -big;
        }
        float c = (float)((double)num / (double)den);
        if (float.IsInfinity(c)) c = c > 0 ? float.MaxValue : -float.MaxValue;
        while (Compare(c, num, den) > 0) c = MathF.BitDecrement(c);
        while (Compare(MathF.BitIncrement(c), num, den) <= 0) c = MathF.BitIncrement(c);
        bool exact = Compare(c, num, den) == 0;
        if (exact) return c;
        float up = MathF.BitIncrement(c);
        switch (mode)
        {
            case Mode.Rm: return c;
            case Mode.Rp: return up;
            case Mode.Rz: return num.Sign > 0 ? c : up;
            default:
            {
                // Compare distance to c and up exactly: 2*exact vs c + up.
                var (cn, cd) = Exact(c);
                var (un, ud) = Exact(up);
                BigInteger lhs = 2 * num * cd * ud, rhs = (cn * ud + un * cd) * den;
                int s = lhs.CompareTo(rhs);
                if (s < 0) return c;
                if (s > 0) return up;
                return (BitConverter.SingleToInt32Bits(c) & 1) == 0 ? c : up;
            }
        }
    }

    private static float Add(float a, float b, Mode m) { var (an, ad) = Exact(a); var (bn, bd) = Exact(b); return Fix(Round(an * bd + bn * ad, ad * bd, m), a + b); }
    private static float Mul(float a, float b, Mode m) { var (an, ad) = Exact(a); var (bn, bd) = Exact(b); return Fix(Round(an * bn, ad * bd, m), a * b); }
    private static float Div(float a, float b, Mode m) { var (an, ad) = Exact(a); var (bn, bd) = Exact(b); return Fix(Round(an * bd, ad * bn, m), a / b); }
    private static float Fma(float a, float b, float c, Mode m)
    {
        var (an, ad) = Exact(a); var (bn, bd) = Exact(b); var (cn, cd) = Exact(c);
        return Fix(Round(an * bn * cd + cn * ad * bd, ad * bd * cd, m), MathF.FusedMultiplyAdd(a, b, c));
    }

    /// <summary>An exact zero result keeps the sign IEEE gives round-to-nearest (the oracle works on magnitudes).</summary>
    private static float Fix(float rounded, float nearest) => rounded == 0 && nearest == 0 ? nearest : rounded;

    [Test]
    public void ArithmeticInEveryRoundingModeIsBitExact()
    {
        var rng = new Random(11);
        var values = new List<float> { 1f, -1f, 3f, 0.1f, -0.3f, 1e-3f, 7e30f, -2.5e-38f, 1.17549435e-38f, 1.4e-45f, 16777217f, 0.999999f };
        while (values.Count < 40) values.Add((float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-30, 30))));
        var a = new List<float>(); var b = new List<float>(); var c = new List<float>();
        foreach (var x in values) foreach (var y in values) { a.Add(x); b.Add(y); c.Add(values[(a.Count * 7) % values.Count]); }
        int n = a.Count;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "float_ops", "float_ops");
        var da = device.Upload<float>(a.ToArray()); var db = device.Upload<float>(b.ToArray()); var dc = device.Upload<float>(c.ToArray());
        var dout = device.Allocate(31L * n * 4);
        var dflags = device.Allocate(6L * n * 4);
        device.Launch(f, new LaunchConfig((n + 255) / 256, 256), new KernelArguments().Add(da).Add(db).Add(dc).Add(dout).Add(dflags).Add(n));
        var o = device.Download<float>(dout);
        for (int i = 0; i < n; i++)
        {
            float x = a[i], y = b[i], z = c[i];
            var expected = new (int Slot, float Value)[]
            {
                (0, Add(x, y, Mode.Rn)), (1, Add(x, y, Mode.Rz)), (2, Add(x, y, Mode.Rm)), (3, Add(x, y, Mode.Rp)),
                (4, Add(x, -y, Mode.Rn)), (5, Mul(x, y, Mode.Rn)), (6, Mul(x, y, Mode.Rz)), (7, Mul(x, y, Mode.Rm)), (8, Mul(x, y, Mode.Rp)),
                (9, Fma(x, y, z, Mode.Rn)), (10, Fma(x, y, z, Mode.Rz)), (11, Fma(x, y, z, Mode.Rm)), (12, Fma(x, y, z, Mode.Rp)),
                (13, Div(x, y, Mode.Rn)), (14, Div(x, y, Mode.Rz)), (15, Div(x, y, Mode.Rm)), (16, Div(x, y, Mode.Rp)),
                (17, Math.Min(x, y)), (18, Math.Max(x, y)), (26, -x), (27, Math.Abs(x)), (25, MathF.Sqrt(x)), (28, 1f / x),
                (30, Add(x, -y, Mode.Rm)),
            };
            foreach (var (slot, value) in expected)
                Assert.That(BitConverter.SingleToInt32Bits(o[slot * n + i]), Is.EqualTo(BitConverter.SingleToInt32Bits(value)).Or.Matches<int>(_ => float.IsNaN(value) && float.IsNaN(o[slot * n + i])),
                    $"slot {slot}: a={x:R} b={y:R} c={z:R} got {o[slot * n + i]:R} expected {value:R}");
            float ftzX = float.IsSubnormal(x) ? 0f * Math.Sign(x) : x, ftzY = float.IsSubnormal(y) ? 0f : y;
            float ftzSum = ftzX + ftzY;
            if (float.IsSubnormal(ftzSum)) ftzSum = 0;
            Assert.That(Math.Abs(o[21 * n + i]), Is.EqualTo(Math.Abs(ftzSum)), $"add.ftz a={x:R} b={y:R}");
            float sat = Math.Clamp(x + y, 0f, 1f);
            Assert.That(o[23 * n + i], Is.EqualTo(sat), $"add.sat a={x:R} b={y:R}");
        }
    }

    [Test]
    public void NaNAndSignedZeroRules()
    {
        float nan = float.NaN;
        float[] a = { nan, 1f, nan, -0f, 0f, 2f };
        float[] b = { 1f, nan, nan, 0f, -0f, nan };
        int n = a.Length;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "float_ops", "float_ops");
        var dout = device.Allocate(31L * n * 4);
        var dflags = device.Allocate(6L * n * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(device.Upload<float>(a)).Add(device.Upload<float>(b))
            .Add(device.Upload<float>(new float[n])).Add(dout).Add(dflags).Add(n));
        var o = device.Download<float>(dout);
        var flags = device.Download<int>(dflags);
        // min/max return the non-NaN operand; .NaN variants propagate; -0 orders below +0.
        Assert.That(o[17 * n + 0], Is.EqualTo(1f)); Assert.That(o[18 * n + 1], Is.EqualTo(1f));
        Assert.That(float.IsNaN(o[17 * n + 2]), Is.True);
        Assert.That(float.IsNaN(o[19 * n + 0]) && float.IsNaN(o[20 * n + 1]), Is.True);
        Assert.That(float.IsNegative(o[17 * n + 3]) && float.IsNegative(o[17 * n + 4]), Is.True);
        Assert.That(float.IsPositive(o[18 * n + 3]) && float.IsPositive(o[18 * n + 4]), Is.True);
        // NaN results are the canonical 0x7FFFFFFF.
        Assert.That(BitConverter.SingleToUInt32Bits(o[0 * n + 0]), Is.EqualTo(0x7FFFFFFFu));
        // setp: ordered comparisons are false with NaN, unordered true; ne is ordered, neu unordered.
        for (int i = 0; i < n; i++)
        {
            bool unordered = float.IsNaN(a[i]) || float.IsNaN(b[i]);
            Assert.That(flags[0 * n + i], Is.EqualTo(!unordered && a[i] < b[i] ? 1 : 0), $"lt {i}");
            Assert.That(flags[1 * n + i], Is.EqualTo(unordered || a[i] < b[i] ? 1 : 0), $"ltu {i}");
            Assert.That(flags[2 * n + i], Is.EqualTo(unordered || a[i] != b[i] ? 1 : 0), $"neu {i}");
            Assert.That(flags[3 * n + i], Is.EqualTo(!unordered && a[i] != b[i] ? 1 : 0), $"ne {i}");
            Assert.That(flags[4 * n + i], Is.EqualTo(unordered ? 1 : 0), $"nan {i}");
            Assert.That(flags[5 * n + i], Is.EqualTo(!unordered && a[i] >= b[i] ? 1 : 0), $"ge {i}");
        }
    }
}
