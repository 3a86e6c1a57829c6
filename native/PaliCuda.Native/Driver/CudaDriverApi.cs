using System.Runtime.InteropServices;
using PaliCuda.Native.Interop;

namespace PaliCuda.Native.Driver;

/// <summary>
/// The CUDA driver API entry points this project uses. Handles are <c>nint</c>, device pointers <c>ulong</c>,
/// <c>size_t</c> is <c>nuint</c>. Where the driver exports a versioned symbol (<c>_v2</c>) we bind that one,
/// because the unversioned names are kept only for binaries built against old headers.
/// Optional entry points (absent on older drivers) are resolved at run time in <see cref="CudaDriverOptionalApi"/>.
/// </summary>
internal static unsafe partial class CudaDriverApi
{
    /// <summary>Logical name mapped to the loaded driver by <see cref="NativeImportResolver"/>.</summary>
    public const string LibraryName = "palicuda-cuda-driver";

    static CudaDriverApi() => NativeImportResolver.EnsureRegistered();

    // Initialization, version, errors
    [LibraryImport(LibraryName)] public static partial CuResult cuInit(uint flags);
    [LibraryImport(LibraryName)] public static partial CuResult cuDriverGetVersion(int* driverVersion);
    [LibraryImport(LibraryName)] public static partial CuResult cuGetErrorName(CuResult error, byte** name);
    [LibraryImport(LibraryName)] public static partial CuResult cuGetErrorString(CuResult error, byte** description);

    // Devices
    [LibraryImport(LibraryName)] public static partial CuResult cuDeviceGetCount(int* count);
    [LibraryImport(LibraryName)] public static partial CuResult cuDeviceGet(int* device, int ordinal);
    [LibraryImport(LibraryName)] public static partial CuResult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(LibraryName)] public static partial CuResult cuDeviceGetAttribute(int* value, CuDeviceAttribute attribute, int device);
    [LibraryImport(LibraryName)] public static partial CuResult cuDeviceTotalMem_v2(nuint* bytes, int device);

    // Contexts
    [LibraryImport(LibraryName)] public static partial CuResult cuDevicePrimaryCtxRetain(nint* context, int device);
    [LibraryImport(LibraryName)] public static partial CuResult cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(LibraryName)] public static partial CuResult cuCtxSetCurrent(nint context);
    [LibraryImport(LibraryName)] public static partial CuResult cuCtxGetCurrent(nint* context);
    [LibraryImport(LibraryName)] public static partial CuResult cuCtxPushCurrent_v2(nint context);
    [LibraryImport(LibraryName)] public static partial CuResult cuCtxPopCurrent_v2(nint* context);
    [LibraryImport(LibraryName)] public static partial CuResult cuCtxSynchronize();

    // Memory
    [LibraryImport(LibraryName)] public static partial CuResult cuMemGetInfo_v2(nuint* free, nuint* total);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemAlloc_v2(ulong* devicePointer, nuint bytes);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemFree_v2(ulong devicePointer);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemAllocHost_v2(void** hostPointer, nuint bytes);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemFreeHost(void* hostPointer);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemsetD8_v2(ulong devicePointer, byte value, nuint count);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemsetD32_v2(ulong devicePointer, uint value, nuint count);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemsetD8Async(ulong devicePointer, byte value, nuint count, nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemsetD32Async(ulong devicePointer, uint value, nuint count, nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemcpyHtoD_v2(ulong destination, void* source, nuint bytes);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemcpyDtoH_v2(void* destination, ulong source, nuint bytes);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemcpyDtoD_v2(ulong destination, ulong source, nuint bytes);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, nint stream);

    // Streams
    [LibraryImport(LibraryName)] public static partial CuResult cuStreamCreate(nint* stream, uint flags);
    [LibraryImport(LibraryName)] public static partial CuResult cuStreamSynchronize(nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuStreamDestroy_v2(nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuStreamBeginCapture_v2(nint stream, StreamCaptureMode mode);
    [LibraryImport(LibraryName)] public static partial CuResult cuStreamEndCapture(nint stream, nint* graph);
    [LibraryImport(LibraryName)] public static partial CuResult cuStreamIsCapturing(nint stream, StreamCaptureStatus* status);

    // Events
    [LibraryImport(LibraryName)] public static partial CuResult cuEventCreate(nint* @event, uint flags);
    [LibraryImport(LibraryName)] public static partial CuResult cuEventRecord(nint @event, nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuEventSynchronize(nint @event);
    [LibraryImport(LibraryName)] public static partial CuResult cuEventQuery(nint @event);
    [LibraryImport(LibraryName)] public static partial CuResult cuEventElapsedTime(float* milliseconds, nint start, nint end);
    [LibraryImport(LibraryName)] public static partial CuResult cuEventDestroy_v2(nint @event);

    // Modules and kernels
    [LibraryImport(LibraryName)]
    public static partial CuResult cuModuleLoadDataEx(nint* module, void* image, uint optionCount, CuJitOption* options, void** optionValues);
    [LibraryImport(LibraryName)] public static partial CuResult cuModuleUnload(nint module);
    [LibraryImport(LibraryName)] public static partial CuResult cuModuleGetFunction(nint* function, nint module, byte* name);
    [LibraryImport(LibraryName)] public static partial CuResult cuFuncGetAttribute(int* value, CuFunctionAttribute attribute, nint function);
    [LibraryImport(LibraryName)] public static partial CuResult cuFuncSetAttribute(nint function, CuFunctionAttribute attribute, int value);
    [LibraryImport(LibraryName)]
    public static partial CuResult cuLaunchKernel(
        nint function,
        uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** kernelParameters, void** extra);

    // Graphs
    [LibraryImport(LibraryName)] public static partial CuResult cuGraphInstantiateWithFlags(nint* graphExec, nint graph, ulong flags);
    [LibraryImport(LibraryName)] public static partial CuResult cuGraphLaunch(nint graphExec, nint stream);
    [LibraryImport(LibraryName)] public static partial CuResult cuGraphExecDestroy(nint graphExec);
    [LibraryImport(LibraryName)] public static partial CuResult cuGraphDestroy(nint graph);
    [LibraryImport(LibraryName)] public static partial CuResult cuGraphGetNodes(nint graph, nint* nodes, nuint* count);
}
