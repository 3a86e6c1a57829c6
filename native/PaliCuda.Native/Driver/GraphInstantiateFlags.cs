namespace PaliCuda.Native.Driver;

/// <summary><c>CUgraphInstantiate_flags</c>.</summary>
[Flags]
public enum GraphInstantiateFlags : ulong
{
    None = 0,
    AutoFreeOnLaunch = 1,
    Upload = 2,
    DeviceLaunch = 4,
    UseNodePriority = 8,
}
