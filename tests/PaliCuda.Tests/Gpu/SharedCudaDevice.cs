using NUnit.Framework;
using PaliCuda.Devices.Cuda;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// One CUDA device for every CUDA test of the run. Opening a device per test would create and destroy the primary
/// context and the cuBLAS handle, and JIT-compile every kernel module again, each time: seconds per test, where the
/// whole Gpu category has a minute on the GPU machine. Tests free what they allocate (their backends do), so sharing
/// leaks nothing that matters. A kernel fault leaves a context unusable for good, so before handing the device out
/// again it is checked, and a broken one is closed (releasing the primary context, which destroys it) and replaced:
/// one faulting test does not fail all that follow.
/// </summary>
internal static class SharedCudaDevice
{
    private static CudaDevice? _device;

    public static CudaDevice Get()
    {
        if (_device is { } device)
        {
            try
            {
                device.DefaultStream.Synchronize();
                return device;
            }
            catch (Exception e)
            {
                TestContext.Out.WriteLine($"the shared CUDA device failed its check after an earlier test, opening a fresh one: {e.Message}");
                _device = null;
                try
                {
                    device.Dispose();
                }
                catch (Exception disposeFailure)
                {
                    TestContext.Out.WriteLine($"closing the broken device also failed: {disposeFailure.Message}");
                }
            }
        }
        return _device = CudaDevice.Open();
    }
}
