namespace PaliCuda.Devices;

/// <summary>The geometry of one kernel launch.</summary>
public readonly record struct LaunchConfig(Dim3 Grid, Dim3 Block, int DynamicSharedBytes = 0);
