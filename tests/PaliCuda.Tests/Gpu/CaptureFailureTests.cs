using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Devices;
using PaliCuda.Devices.Cuda;
using PaliCuda.Emulation;
using PaliCuda.Emulation.Blas;
using CudaException = PaliCuda.Native.Driver.CudaException;
using CuResult = PaliCuda.Native.Driver.CuResult;
using DeviceBuffer = PaliCuda.Devices.DeviceBuffer;
using KernelArguments = PaliCuda.Devices.KernelArguments;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// A failure while capture is recording must surface as itself. On CUDA the capture that an error aborted fails to end
/// as well (CUDA_ERROR_STREAM_CAPTURE_INVALIDATED); the emulator, wrapped so its end of capture fails the same way,
/// shows which of the two the caller sees.
/// </summary>
public class CaptureFailureTests
{
    [Test]
    public void AFailureWhileRecordingIsReportedRatherThanTheFailedEndOfCapture()
    {
        var inner = new EmulatedDevice();
        var device = new EndCaptureFailsDevice(inner);
        using var gpu = new GpuBackend(device, new CapturableEmulatedBlas(inner), new GpuBackendOptions { StripPtxLineInfo = true }, ownsDevice: true);
        var cause = new InvalidOperationException("the op that failed while recording");

        var thrown = Assert.Throws<AggregateException>(() => gpu.Capture(() => throw cause));

        Assert.That(thrown!.InnerExceptions[0], Is.SameAs(cause), "the recording failure comes first");
        Assert.That(thrown.Message, Does.Contain(cause.Message));
        Assert.That(thrown.InnerExceptions[1], Is.InstanceOf<CudaException>(), "the failed end of capture is kept as the second cause");
        Assert.That(inner.DefaultStream.IsCapturing, Is.False, "the capture was ended, so the stream works again");
    }

    [Test]
    public void AFailureWhileRecordingPropagatesUnchangedWhenTheCaptureEndsCleanly()
    {
        using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
        var cause = new InvalidOperationException("the op that failed while recording");

        var thrown = Assert.Throws<InvalidOperationException>(() => gpu.Capture(() => throw cause));

        Assert.That(thrown, Is.SameAs(cause));
        Assert.That(gpu.Device.DefaultStream.IsCapturing, Is.False);
    }

    [Test]
    public void AKernelFaultMessageSaysItIsAsynchronousAndNamesTheLastWork()
    {
        var message = CudaAsyncFault.Describe(CuResult.ErrorIllegalAddress, "CUDA_ERROR_ILLEGAL_ADDRESS", "device-to-host copy", "kernel 'palicuda_add_bf16' with grid (4, 1, 1)");

        Assert.That(message, Does.StartWith("CUDA_ERROR_ILLEGAL_ADDRESS (700) reported at device-to-host copy"));
        Assert.That(message, Does.Contain("asynchronous"));
        Assert.That(message, Does.Contain("kernel 'palicuda_add_bf16' with grid (4, 1, 1)"));
        Assert.That(message, Does.Contain("CUDA_LAUNCH_BLOCKING=1"));
        Assert.That(CudaAsyncFault.Describe(CuResult.ErrorLaunchFailed, "CUDA_ERROR_LAUNCH_FAILED", "stream synchronize", null), Does.Contain("none recorded"));
    }

    [TestCase(CuResult.ErrorIllegalAddress, true)]
    [TestCase(CuResult.ErrorMisalignedAddress, true)]
    [TestCase(CuResult.ErrorLaunchFailed, true)]
    [TestCase(CuResult.ErrorIllegalInstruction, true)]
    [TestCase(CuResult.ErrorOutOfMemory, false)]
    [TestCase(CuResult.ErrorInvalidValue, false)]
    [TestCase(CuResult.ErrorLaunchOutOfResources, false)]
    [TestCase(CuResult.ErrorStreamCaptureInvalidated, false)]
    public void OnlyCodesAKernelRaisesWhileRunningCountAsFaults(CuResult result, bool fault) =>
        Assert.That(CudaAsyncFault.IsKernelFault(result), Is.EqualTo(fault));

    /// <summary>The emulator, except that ending a capture fails after ending it, as CUDA does for an aborted capture.</summary>
    private sealed class EndCaptureFailsDevice(EmulatedDevice inner) : ForwardingComputeDevice(inner)
    {
        public override IDeviceGraph EndCapture(IComputeStream stream)
        {
            Inner.EndCapture(stream).Dispose();
            throw new CudaException(CuResult.ErrorStreamCaptureInvalidated, "cuStreamEndCapture");
        }
    }
}
