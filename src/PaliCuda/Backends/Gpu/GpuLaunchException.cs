namespace PaliCuda.Backends.Gpu;

/// <summary>A GPU op refused its arguments (shape, dtype, alignment, unsupported variant) or its kernel failed; the message names the op and tensors.</summary>
public sealed class GpuLaunchException(string message, Exception? inner = null) : Exception(message, inner);
