namespace PaliCuda.Cli;

/// <summary>
/// A command-line value is outside its documented range. The message names the option and the range; the process exits
/// with <see cref="ExitCodes.Usage"/>.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
