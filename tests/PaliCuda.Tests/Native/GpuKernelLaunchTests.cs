using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>Module loading and kernel launches with the hand-written PTX in <see cref="TestKernels"/>.</summary>
[TestFixture]
[Category("Gpu")]
public class GpuKernelLaunchTests
{
    private const uint ThreadsPerBlock = 256;

    [Test]
    public void AddKernelComputesEveryElement()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        const int count = 10_007; // not a multiple of the block size: the bounds check in the kernel matters
        var a = RandomFloats(random, count);
        var b = RandomFloats(random, count);

        using var module = CudaModule.LoadPtx(context, TestKernels.Ptx);
        var add = module.GetFunction(TestKernels.AddName);
        Assert.That(add.MaxThreadsPerBlock, Is.GreaterThanOrEqualTo((int)ThreadsPerBlock));
        Assert.That(add.RegisterCount, Is.Positive);

        using var deviceA = DeviceBuffer.Allocate(context, count * sizeof(float));
        using var deviceB = DeviceBuffer.Allocate(context, count * sizeof(float));
        using var deviceC = DeviceBuffer.Allocate(context, (count + 1) * sizeof(float));
        deviceA.CopyFromHost<float>(a);
        deviceB.CopyFromHost<float>(b);
        deviceC.Fill32(BitConverter.SingleToUInt32Bits(float.NaN));

        using var arguments = new KernelArguments(4);
        arguments.SetPointer(0, deviceA).SetPointer(1, deviceB).SetPointer(2, deviceC).SetInt(3, count);
        add.Launch(Dim3.GridFor(count, ThreadsPerBlock), ThreadsPerBlock, 0, null, arguments);
        context.Synchronize();

        var c = new float[count + 1];
        deviceC.CopyToHost<float>(c);
        for (var i = 0; i < count; i++)
        {
            // One IEEE round-to-nearest addition on both sides: the results must be identical.
            Assert.That(c[i], Is.EqualTo(a[i] + b[i]), $"element {i}");
        }

        Assert.That(float.IsNaN(c[count]), Is.True, "the kernel wrote past n");
    }

    [Test]
    public void StructArgumentReachesTheKernel()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        const int count = 3000;
        var x = RandomFloats(random, count);
        var y = RandomFloats(random, count);
        var parameters = new ScaleParams { Alpha = -0.75f, Count = count - 5 };

        using var module = CudaModule.LoadPtx(context, TestKernels.Ptx);
        var scaleAdd = module.GetFunction(TestKernels.ScaleAddName);
        using var stream = CudaStream.Create(context);
        using var deviceX = DeviceBuffer.Allocate(context, count * sizeof(float));
        using var deviceY = DeviceBuffer.Allocate(context, count * sizeof(float));
        deviceX.CopyFromHost<float>(x);
        deviceY.CopyFromHost<float>(y);

        using var arguments = new KernelArguments(3);
        arguments.SetPointer(0, deviceX.Pointer).SetPointer(1, deviceY.Pointer).SetStruct(2, parameters);
        scaleAdd.Launch(Dim3.GridFor(count, ThreadsPerBlock), ThreadsPerBlock, 0, stream, arguments);
        stream.Synchronize();

        var result = new float[count];
        deviceY.CopyToHost<float>(result);
        for (var i = 0; i < count; i++)
        {
            // The PTX uses fma.rn.f32, which FusedMultiplyAdd reproduces bit for bit; past Count, y is untouched.
            var expected = i < parameters.Count ? MathF.FusedMultiplyAdd(parameters.Alpha, x[i], y[i]) : y[i];
            Assert.That(result[i], Is.EqualTo(expected), $"element {i}");
        }
    }

    [Test]
    public void LargeDynamicSharedMemoryNeedsOptIn()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var device = context.DeviceInfo;
        var beyondDefault = device.MaxSharedMemoryPerBlock + 1024;
        if (device.MaxSharedMemoryPerBlockOptin < beyondDefault)
        {
            Assert.Ignore($"{device.Name} cannot opt in beyond {device.MaxSharedMemoryPerBlock} bytes of shared memory.");
        }

        using var module = CudaModule.LoadPtx(context, TestKernels.Ptx);
        var add = module.GetFunction(TestKernels.AddName);
        using var output = DeviceBuffer.Allocate(context, sizeof(float));
        using var arguments = new KernelArguments(4);
        arguments.SetPointer(0, output).SetPointer(1, output).SetPointer(2, output).SetInt(3, 0);

        var refused = Assert.Throws<CudaException>(() => add.Launch(1u, 32u, beyondDefault, null, arguments))!;
        Assert.That(refused.Message, Does.Contain("cuLaunchKernel(add"));

        var allowed = device.MaxSharedMemoryPerBlockOptin - add.StaticSharedMemoryBytes;
        add.SetMaxDynamicSharedMemory(allowed);
        Assert.That(add.GetAttribute(CuFunctionAttribute.MaxDynamicSharedSizeBytes), Is.EqualTo(allowed));
        add.Launch(1u, 32u, beyondDefault, null, arguments);
        context.Synchronize();
    }

    [Test]
    public void MissingKernelAndBrokenPtxAreReportedWithDetails()
    {
        using var context = GpuRequired.ContextOrIgnore();
        using var module = CudaModule.LoadPtx(context, TestKernels.Ptx);
        var missing = Assert.Throws<CudaException>(() => module.GetFunction("no_such_kernel"))!;
        Assert.That(missing.Result, Is.EqualTo(CuResult.ErrorNotFound));
        Assert.That(missing.Message, Does.Contain("no_such_kernel"));

        var broken = Assert.Throws<CudaJitException>(() => CudaModule.LoadPtx(context, TestKernels.BrokenPtx))!;
        TestContext.Out.WriteLine(broken.Message);
        Assert.That(broken.Result, Is.EqualTo(CuResult.ErrorInvalidPtx));
        Assert.That(broken.ErrorLog, Does.Contain("this_is_not_an_instruction"));
        Assert.That(broken.Message, Does.Contain(broken.ErrorLog));
    }

    private static float[] RandomFloats(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 200 - 100);
        }

        return values;
    }
}
