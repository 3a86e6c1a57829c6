namespace PaliCuda.Devices;

/// <summary>An in-order queue of device work.</summary>
public interface IComputeStream : IDisposable
{
    /// <summary>True between <see cref="IComputeDevice.BeginCapture"/> and <see cref="IComputeDevice.EndCapture"/>.</summary>
    bool IsCapturing { get; }

    /// <summary>Waits until all work queued so far has finished.</summary>
    void Synchronize();
}
