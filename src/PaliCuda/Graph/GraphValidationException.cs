namespace PaliCuda.Graph;

/// <summary>A graph was recorded with inconsistent shapes or types; the message names the op and the buffers.</summary>
public sealed class GraphValidationException(string message) : Exception(message);
