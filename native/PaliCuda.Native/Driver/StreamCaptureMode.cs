namespace PaliCuda.Native.Driver;

/// <summary><c>CUstreamCaptureMode</c>: which unsafe calls other threads may make while a stream captures.</summary>
public enum StreamCaptureMode
{
    /// <summary>Unsafe calls from any thread are errors while any global capture is under way.</summary>
    Global = 0,
    /// <summary>Only unsafe calls from the capturing thread are errors.</summary>
    ThreadLocal = 1,
    /// <summary>No unsafe-call checks.</summary>
    Relaxed = 2,
}
