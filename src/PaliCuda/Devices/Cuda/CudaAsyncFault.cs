using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>
/// Kernel faults are reported late: a launch returns at once, and an illegal address inside the kernel surfaces at
/// the next synchronizing call (a stream or event wait, a read-back), named after that call. This turns such a
/// result into a message that says so and names the work queued last, which is almost always the culprit.
/// </summary>
public static class CudaAsyncFault
{
    /// <summary>
    /// Codes a kernel raises while it runs. All of them leave the context unusable ("sticky"): every later call fails
    /// with the same code until the context is destroyed.
    /// </summary>
    public static bool IsKernelFault(CuResult result) => result is CuResult.ErrorIllegalAddress or CuResult.ErrorLaunchTimeout
        or CuResult.ErrorAssert or CuResult.ErrorHardwareStackError or CuResult.ErrorIllegalInstruction
        or CuResult.ErrorMisalignedAddress or CuResult.ErrorInvalidAddressSpace or CuResult.ErrorInvalidPc
        or CuResult.ErrorLaunchFailed;

    /// <summary>The message for a fault of <paramref name="result"/> reported by <paramref name="reportedAt"/>.</summary>
    /// <param name="lastWork">The last kernel or GEMM queued before the failing call, with its launch shape; null when none is known.</param>
    public static string Describe(CuResult result, string errorName, string reportedAt, string? lastWork) =>
        $"{errorName} ({(int)result}) reported at {reportedAt}: a kernel queued earlier faulted while running (kernel faults are asynchronous, "
        + $"so the call that reports one is not its cause). Last work queued on the device: {lastWork ?? "none recorded"}. "
        + "The CUDA context is now unusable; rerun with CUDA_LAUNCH_BLOCKING=1 to report the fault at the faulting launch.";
}
