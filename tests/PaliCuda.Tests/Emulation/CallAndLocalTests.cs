using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

public class CallAndLocalTests
{
    /// <summary>CUDA's sinf/cosf (full-range, non-fast-math) are documented to 2 ulp; 2 ulp of the result plus the
    /// f32 spacing near zero (2^-24) bounds |device - MathF| since MathF is itself within 1 ulp.</summary>
    private const int TrigUlps = 3;

    [Test]
    public void SinCosWithLargeArgumentsMatchMathF()
    {
        // Small, medium and huge arguments: beyond ~105615 libdevice switches to Payne–Hanek reduction in local memory.
        var x = new float[] { 0f, 0.5f, -1.25f, 3.14159f, 100f, -2000.5f, 105615f, 123456.7f, -3.4e6f, 1e9f, 3.0e38f, -1.7e38f, 2.5e-8f, 7.0e5f };
        int n = x.Length;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "calls", "trig");
        var dx = device.Upload<float>(x);
        var ds = device.Allocate(n * 4);
        var dc = device.Allocate(n * 4);
        device.Launch(f, new LaunchConfig(1, 32), new KernelArguments().Add(dx).Add(ds).Add(dc).Add(n));
        var s = device.Download<float>(ds);
        var c = device.Download<float>(dc);
        for (int i = 0; i < n; i++)
        {
            Assert.That(s[i], Is.EqualTo(MathF.Sin(x[i])).Within(Tolerance(MathF.Sin(x[i]))), $"sin({x[i]})");
            Assert.That(c[i], Is.EqualTo(MathF.Cos(x[i])).Within(Tolerance(MathF.Cos(x[i]))), $"cos({x[i]})");
        }
    }

    private static float Tolerance(float reference) =>
        TrigUlps * MathF.Max(MathF.BitIncrement(MathF.Abs(reference)) - MathF.Abs(reference), MathF.Pow(2, -24));

    [Test]
    public void CallsPassParametersReturnValuesAndLocalPointers()
    {
        const int threads = 64;
        using var device = new EmulatedDevice();
        var f = EmulatorKernels.Load(device, "calls", "calls");
        var x = Enumerable.Range(0, threads).Select(i => i * 0.75f - 9f).ToArray();
        var dx = device.Upload<float>(x);
        var dy = device.Allocate(threads * 4);
        var dz = device.Allocate(threads * 4);
        device.Launch(f, new LaunchConfig(1, threads), new KernelArguments().Add(dx).Add(dy).Add(dz));
        var y = device.Download<float>(dy);
        var z = device.Download<int>(dz);
        for (int i = 0; i < threads; i++)
        {
            Assert.That(y[i], Is.EqualTo((x[i] * 2f + i) + (-x[i] * 2f + 3f)), $"y[{i}]");
            Assert.That(z[i], Is.EqualTo(ClampedSquare(i, 20) + DigitSum(i * 7919)), $"z[{i}]");
        }

        static int ClampedSquare(int v, int limit) => v > limit ? limit : v * v;
        static int DigitSum(int v)
        {
            var digits = new List<int>();
            do { digits.Add(v % 10); v /= 10; } while (v > 0 && digits.Count < 12);
            return digits.Select((d, k) => d * (k + 1)).Sum() + ClampedSquare(digits.Count, 3);
        }
    }

    [Test]
    public void LineInfoDirectivesAreSkippedByTheParser()
    {
        const string ptx = """
            .version 7.8
            .target sm_80
            .address_size 64
            .visible .entry add_one(.param .u64 p)
            {
                .reg .b32 %r<3>;
                .reg .b64 %rd<3>;
            $L__func_begin0:
                .loc 1 3 0
                ld.param.u64 %rd1, [p];
                .loc 1 4 5, function_name $L__info_string0, inlined_at 1 3 0
                cvta.to.global.u64 %rd2, %rd1;
                ld.global.u32 %r1, [%rd2];
                add.s32 %r2, %r1, 1;
                st.global.u32 [%rd2], %r2;
                ret;
            $L__func_end0:
            }
                .file 1 "/src/k.cu"
                .file 2 "/usr/include/cuda.h", 1700000000, 1234
                .section .debug_str
                {
            $L__info_string0:
            .b8 95,90,0
            @@DWARF .ascii "x"
                }
            """;
        using var device = new EmulatedDevice();
        var f = device.LoadModule("lineinfo", ptx).GetFunction("add_one");
        var buffer = device.Upload<int>(new[] { 41 });
        device.Launch(f, new LaunchConfig(1, 1), new KernelArguments().Add(buffer));
        Assert.That(device.Download<int>(buffer)[0], Is.EqualTo(42));
    }

    [Test]
    public void RecursiveCallsAreRefusedAtLoad()
    {
        const string ptx = """
            .version 7.8
            .target sm_80
            .address_size 64
            .func (.param .b32 r) f(.param .b32 a)
            {
                .reg .b32 %v;
                ld.param.b32 %v, [a];
                {
                .param .b32 x;
                st.param.b32 [x+0], %v;
                .param .b32 y;
                call.uni (y), f, (x);
                ld.param.b32 %v, [y+0];
                }
                st.param.b32 [r+0], %v;
                ret;
            }
            .visible .entry k()
            {
                .reg .b32 %w;
                {
                .param .b32 x;
                st.param.b32 [x+0], 1;
                .param .b32 y;
                call.uni (y), f, (x);
                ld.param.b32 %w, [y+0];
                }
                ret;
            }
            """;
        using var device = new EmulatedDevice();
        var e = Assert.Throws<PtxFormatException>(() => device.LoadModule("recursive", ptx));
        Assert.That(e!.Message, Does.Contain("recursive call to 'f'"));
    }
}
