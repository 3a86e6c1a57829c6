namespace PaliCuda.Native.Driver;

/// <summary><c>CUgraphExecUpdateResult</c>: why an instantiated graph could or could not take a new graph's parameters.</summary>
public enum GraphExecUpdateResult
{
    Success = 0,
    Error = 1,
    ErrorTopologyChanged = 2,
    ErrorNodeTypeChanged = 3,
    ErrorFunctionChanged = 4,
    ErrorParametersChanged = 5,
    /// <summary>Also reported by this binding when the driver has no graph-update entry point at all.</summary>
    ErrorNotSupported = 6,
    ErrorUnsupportedFunctionChange = 7,
    ErrorAttributesChanged = 8,
}
