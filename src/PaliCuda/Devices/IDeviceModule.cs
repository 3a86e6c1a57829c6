namespace PaliCuda.Devices;

/// <summary>A PTX module loaded onto a device.</summary>
public interface IDeviceModule : IDisposable
{
    string Name { get; }

    IReadOnlyList<string> FunctionNames { get; }

    /// <summary>The entry named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming the module when absent.</summary>
    IDeviceFunction GetFunction(string name);
}
