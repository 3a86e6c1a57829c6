namespace PaliCuda.Devices;

/// <summary>A kernel entry point of a loaded module, with the attributes a launch is checked against.</summary>
public interface IDeviceFunction
{
    string Name { get; }

    /// <summary>The largest block this kernel may be launched with (1024, or less under .maxntid/.reqntid).</summary>
    int MaxThreadsPerBlock { get; }

    /// <summary>Bytes of statically declared shared memory.</summary>
    int StaticSharedBytes { get; }

    /// <summary>
    /// The dynamic shared memory a launch may request. 48 KB unless raised with
    /// <see cref="SetMaxDynamicSharedBytes"/> (the opt-in CUDA requires above 48 KB).
    /// </summary>
    int MaxDynamicSharedBytes { get; }

    void SetMaxDynamicSharedBytes(int bytes);

    /// <summary>The declared parameters, in order, with their offsets in the parameter block.</summary>
    IReadOnlyList<KernelParameterInfo> Parameters { get; }
}
