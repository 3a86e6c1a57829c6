using NUnit.Framework;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>Discovery of the driver library and devices; runs with or without a GPU.</summary>
[TestFixture]
public class CudaDriverProbeTests
{
    [Test]
    public void ProbeNeverThrowsAndIsSelfConsistent()
    {
        CudaAvailability probe = null!;
        Assert.DoesNotThrow(() => probe = CudaDriver.Probe());
        TestContext.Out.WriteLine($"Probe: Available={probe.Available}, driver {probe.DriverVersionText}, reason: {probe.Reason}");

        Assert.That(probe.Reason, Is.Not.Empty);
        if (!probe.LibraryLoaded)
        {
            Assert.That(probe.Available, Is.False);
            Assert.That(probe.Reason, Does.Contain(CudaDriver.LibraryFileName));
            Assert.That(probe.DriverVersion, Is.Zero);
        }

        if (probe.Available)
        {
            Assert.That(probe.Devices, Is.Not.Empty);
            Assert.That(probe.Devices.Select(d => d.Ordinal), Is.EqualTo(Enumerable.Range(0, probe.Devices.Count)));
        }
        else
        {
            Assert.That(probe.Devices, Is.Empty);
        }
    }

    [Test]
    public void DriverLibraryResolvesHere()
    {
        var probe = CudaDriver.Probe();
        if (!probe.LibraryLoaded)
        {
            Assert.Ignore($"This machine has no CUDA driver library: {probe.Reason}");
        }

        Assert.That(CudaDriver.IsLibraryLoaded, Is.True);
        // cuDriverGetVersion is specified to work without cuInit; the probe calls it first.
        Assert.That(probe.DriverVersion, Is.GreaterThan(0));
        Assert.That(CudaDriver.GetDriverVersion(), Is.EqualTo(probe.DriverVersion));
        Assert.That(probe.DriverVersionText, Is.EqualTo($"{probe.DriverVersion / 1000}.{probe.DriverVersion % 1000 / 10}"));
    }

    [Test]
    public void WithoutDeviceTheReasonNamesTheInitFailure()
    {
        var probe = CudaDriver.Probe();
        if (!probe.LibraryLoaded || probe.Available)
        {
            Assert.Ignore($"Needs the driver library without a device; here: {probe.Reason}");
        }

        Assert.That(probe.Reason, Does.StartWith("cuInit: CUDA_ERROR_NO_DEVICE ("));
        Assert.That(probe.Reason, Does.Contain(CudaErrorText.Description(CuResult.ErrorNoDevice)));
    }

    [Test]
    public void WithoutDeviceRetainingAContextThrowsTypedException()
    {
        var probe = CudaDriver.Probe();
        if (!probe.LibraryLoaded || probe.Available)
        {
            Assert.Ignore($"Needs the driver library without a device; here: {probe.Reason}");
        }

        var exception = Assert.Throws<CudaException>(() => CudaContext.RetainPrimary(0))!;
        Assert.That(exception.Result, Is.EqualTo(CuResult.ErrorNoDevice));
        Assert.That(exception.Call, Does.Contain("cuInit"));
        Assert.That(exception.Message, Does.Contain("CUDA_ERROR_NO_DEVICE"));
        Assert.Throws<CudaException>(() => CudaDriver.GetDeviceCount());
    }
}
