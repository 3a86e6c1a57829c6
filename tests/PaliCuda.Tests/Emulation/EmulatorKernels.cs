using System.Reflection;
using PaliCuda.Devices;
using PaliCuda.Emulation;

namespace PaliCuda.Tests.Emulation;

/// <summary>Loads the PTX of EmulatorKernels/*.cu, compiled and embedded by the test project's build.</summary>
internal static class EmulatorKernels
{
    public static string Ptx(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"EmulatorKernels.{name}.ptx")
            ?? throw new FileNotFoundException($"Embedded PTX 'EmulatorKernels.{name}.ptx' is missing; is EmulatorKernels/{name}.cu in the build?");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static IDeviceFunction Load(EmulatedDevice device, string module, string kernel) =>
        device.LoadModule(module, Ptx(module)).GetFunction(kernel);
}
