namespace PaliCuda.Kernels;

/// <summary>A kernel module or entry point was asked for that the build did not produce or the launcher table does not list.</summary>
public sealed class KernelNotFoundException(string message) : Exception(message);
