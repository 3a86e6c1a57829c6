namespace PaliCuda.Native.Driver;

/// <summary><c>CUstreamCaptureStatus</c>.</summary>
public enum StreamCaptureStatus
{
    None = 0,
    Active = 1,
    /// <summary>The capture hit an error and must be ended; the graph it ends with is unusable.</summary>
    Invalidated = 2,
}
