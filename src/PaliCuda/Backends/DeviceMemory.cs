namespace PaliCuda.Backends;

/// <summary>A block of backend memory (host array, device allocation). Backends derive their own handle type.</summary>
public abstract class DeviceMemory : IDisposable
{
    public abstract long ByteLength { get; }
    public string Label { get; }
    protected DeviceMemory(string label) => Label = label;
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
