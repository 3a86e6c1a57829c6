using NUnit.Framework;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Emulation.Blas;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Gpu.Quantized;

/// <summary>A device + BLAS pair for the quantized-kernel tests: the PTX emulator, or a CUDA GPU (ignored with the probe's reason when absent).</summary>
internal sealed class QuantizedTestDevice : IDisposable
{
    private static readonly Lazy<CudaAvailability> Cuda = new(CudaDriver.Probe);

    public IComputeDevice Device { get; }
    public IDeviceBlas Blas { get; }
    public bool Emulated { get; }

    public QuantizedTestDevice(GpuTarget target)
    {
        if (target == GpuTarget.Emulated)
        {
            var device = new EmulatedDevice();
            Device = device;
            Blas = new EmulatedBlas(device);
            Emulated = true;
            return;
        }
        if (!Cuda.Value.Available) Assert.Ignore($"No CUDA device: {Cuda.Value.Reason}");
        var cuda = SharedCudaDevice.Get();
        Device = cuda;
        Blas = cuda;
    }

    /// <summary>Disposes an emulated device; the CUDA one is shared by the run (<see cref="SharedCudaDevice"/>).</summary>
    public void Dispose()
    {
        if (Emulated) Device.Dispose();
    }
}
