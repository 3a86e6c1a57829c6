namespace PaliCuda.Emulation;

/// <summary>
/// A kernel did something a GPU would not tolerate (or would do silently wrong): an out-of-bounds,
/// misaligned or uninitialised access, a divergent barrier, a bad launch. The message names the kernel,
/// block, thread, PTX line and address where they apply.
/// </summary>
public sealed class EmulatorException : Exception
{
    public EmulatorException(string message) : base(message) { }

    public EmulatorException(string message, Exception inner) : base(message, inner) { }
}
