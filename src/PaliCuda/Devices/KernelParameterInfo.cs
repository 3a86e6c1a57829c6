namespace PaliCuda.Devices;

/// <summary>One kernel parameter as the module declares it: where it sits in the parameter block.</summary>
public readonly record struct KernelParameterInfo(string Name, int Offset, int Size, int Alignment);
