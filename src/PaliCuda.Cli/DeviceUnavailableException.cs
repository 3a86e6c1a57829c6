namespace PaliCuda.Cli;

/// <summary>The device asked for on the command line cannot be used here (e.g. --device cuda without a GPU).</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
