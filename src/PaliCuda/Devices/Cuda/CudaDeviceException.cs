namespace PaliCuda.Devices.Cuda;

/// <summary>A CUDA device operation failed; the message names the operation (kernel and launch shape, allocation and size).</summary>
public sealed class CudaDeviceException(string message, Exception? inner = null) : Exception(message, inner);
