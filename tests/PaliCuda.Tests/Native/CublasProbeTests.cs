using NUnit.Framework;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;
using static PaliCuda.Native.Blas.CublasCheck;

namespace PaliCuda.Tests.Native;

/// <summary>cuBLAS / cuBLASLt discovery and error mapping; runs with or without a GPU.</summary>
[TestFixture]
public unsafe class CublasProbeTests
{
    private static CublasStatus FailingBlasCall(CublasStatus status) => status;

    [Test]
    public void ProbeFindsAVersionedCublasMatchingItsSoname()
    {
        var probe = CublasLibrary.Probe();
        TestContext.Out.WriteLine($"cuBLAS probe: {probe}");
        if (!probe.Available)
        {
            Assert.Ignore($"cuBLAS not installed: {probe.Reason}");
        }

        var candidates = CublasNativeLibraries.CandidateMajors();
        Assert.That(candidates, Is.Ordered.Descending);
        Assert.That(probe.Version, Is.Not.Null);
        Assert.That(candidates, Does.Contain(probe.Version!.Major));
        Assert.That(probe.FileName, Is.EqualTo(CublasNativeLibraries.CublasFileName(probe.Version.Major)));
        Assert.That(probe.Reason, Does.Contain(probe.Version.ToString()));
    }

    [Test]
    public void ProbeFindsCublasLtOfTheSameMajor()
    {
        var blas = CublasLibrary.Probe();
        var lt = CublasLtLibrary.Probe();
        TestContext.Out.WriteLine($"cuBLASLt probe: {lt}");
        if (!blas.Available || !lt.Available)
        {
            Assert.Ignore($"cuBLAS/cuBLASLt not installed: {blas.Reason} / {lt.Reason}");
        }

        Assert.That(lt.Version!.Major, Is.EqualTo(blas.Version!.Major));
        Assert.That(lt.FileName, Is.EqualTo(CublasNativeLibraries.CublasLtFileName(lt.Version.Major)));
        var number = CublasLtLibrary.GetVersionNumber();
        Assert.That(number, Is.EqualTo(lt.Version.Major * 10000L + lt.Version.Minor * 100L + lt.Version.Build));
    }

    [Test]
    public void WithoutDeviceCreatingAHandleFailsWithCublasException()
    {
        if (!CublasLibrary.Probe().Available)
        {
            Assert.Ignore($"cuBLAS not installed: {CublasLibrary.Probe().Reason}");
        }

        var driver = CudaDriver.Probe();
        if (driver.Available)
        {
            Assert.Ignore("A device is present; the no-device path cannot be observed here.");
        }

        nint handle = 0;
        CublasException? thrown = null;
        try
        {
            Check(CublasApi.cublasCreate_v2(&handle));
        }
        catch (CublasException e)
        {
            thrown = e;
        }

        Assert.That(thrown, Is.Not.Null, "cublasCreate_v2 succeeded without a device");
        var exception = thrown!;
        TestContext.Out.WriteLine(exception.Message);
        Assert.That(exception.Status, Is.Not.EqualTo(CublasStatus.Success));
        Assert.That(exception.Call, Is.EqualTo("CublasApi.cublasCreate_v2(&handle)"));
        Assert.That(exception.StatusName, Does.StartWith("CUBLAS_STATUS_"));
        Assert.That(exception.Message, Does.Contain(exception.StatusName));
        Assert.That((long)handle, Is.Zero);
    }

    [Test]
    public void CheckThrowsWithCallTextAndStatusName()
    {
        Assert.DoesNotThrow(() => Check(FailingBlasCall(CublasStatus.Success)));
        var exception = Assert.Throws<CublasException>(() => Check(FailingBlasCall(CublasStatus.InvalidValue)))!;
        Assert.That(exception.Call, Is.EqualTo("FailingBlasCall(CublasStatus.InvalidValue)"));
        Assert.That(exception.StatusName, Is.EqualTo("CUBLAS_STATUS_INVALID_VALUE"));
        Assert.That(exception.Message, Does.Contain("FailingBlasCall(CublasStatus.InvalidValue)").And.Contain("CUBLAS_STATUS_INVALID_VALUE"));
    }

    [Test]
    public void StatusNamesFromCublasMatchTheEnum()
    {
        if (CublasOptionalApi.GetStatusName is null)
        {
            Assert.Ignore($"This cuBLAS has no cublasGetStatusName ({CublasLibrary.Probe().Reason}).");
        }

        foreach (var status in Enum.GetValues<CublasStatus>())
        {
            var fromLibrary = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)CublasOptionalApi.GetStatusName(status));
            Assert.That(fromLibrary, Is.EqualTo(CublasStatusText.FallbackName(status)), status.ToString());
            Assert.That(CublasStatusText.Description(status), Is.Not.Empty);
        }
    }

    [Test]
    public void GemmShapesAreValidatedBeforeCublasSeesThem()
    {
        Assert.DoesNotThrow(() => GemmShapeValidation.Validate(CublasOperation.None, CublasOperation.Transpose, 4, 3, 2, 4, 3, 4, CublasComputeType.Compute32F));
        var lda = Assert.Throws<ArgumentOutOfRangeException>(() =>
            GemmShapeValidation.Validate(CublasOperation.None, CublasOperation.None, 4, 3, 2, 3, 2, 4, CublasComputeType.Compute32F))!;
        Assert.That(lda.ParamName, Is.EqualTo("lda"));
        var ldbTransposed = Assert.Throws<ArgumentOutOfRangeException>(() =>
            GemmShapeValidation.Validate(CublasOperation.None, CublasOperation.Transpose, 4, 3, 2, 4, 2, 4, CublasComputeType.Compute32F))!;
        Assert.That(ldbTransposed.ParamName, Is.EqualTo("ldb"));
        var ldc = Assert.Throws<ArgumentOutOfRangeException>(() =>
            GemmShapeValidation.Validate(CublasOperation.None, CublasOperation.None, 4, 3, 2, 4, 2, 3, CublasComputeType.Compute32F))!;
        Assert.That(ldc.ParamName, Is.EqualTo("ldc"));
        var compute = Assert.Throws<ArgumentException>(() =>
            GemmShapeValidation.Validate(CublasOperation.None, CublasOperation.None, 4, 3, 2, 4, 2, 4, CublasComputeType.Compute16F))!;
        Assert.That(compute.ParamName, Is.EqualTo("computeType"));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            GemmShapeValidation.Validate(CublasOperation.None, CublasOperation.None, -1, 3, 2, 4, 2, 4, CublasComputeType.Compute32F));
    }
}
