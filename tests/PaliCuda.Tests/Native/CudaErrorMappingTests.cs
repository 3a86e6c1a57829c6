using NUnit.Framework;
using PaliCuda.Native.Common;
using PaliCuda.Native.Driver;
using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Tests.Native;

/// <summary>How driver results become exceptions and text; runs with or without a GPU.</summary>
[TestFixture]
public unsafe class CudaErrorMappingTests
{
    /// <summary>Codes probed when asking the driver which ones it knows: all documented codes are below 1000.</summary>
    private const int HighestCodeScanned = 1000;

    private static CuResult FailingDriverCall(CuResult result) => result;

    [Test]
    public void CheckPassesSuccessThrough() => Assert.DoesNotThrow(() => Check(FailingDriverCall(CuResult.Success)));

    [TestCase(CuResult.ErrorInvalidValue)]
    [TestCase(CuResult.ErrorOutOfMemory)]
    [TestCase(CuResult.ErrorIllegalAddress)]
    [TestCase(CuResult.ErrorStreamCaptureInvalidated)]
    public void CheckThrowsWithCallTextAndErrorName(CuResult result)
    {
        var exception = Assert.Throws<CudaException>(() => Check(FailingDriverCall(result)))!;
        Assert.That(exception.Result, Is.EqualTo(result));
        Assert.That(exception.Call, Is.EqualTo($"FailingDriverCall({nameof(result)})"));
        Assert.That(exception.Message, Does.Contain("FailingDriverCall(result)"));
        Assert.That(exception.ErrorName, Is.EqualTo(CudaErrorText.Name(result)));
        Assert.That(exception.Message, Does.Contain(exception.ErrorName));
        Assert.That(exception.Message, Does.Contain(exception.ErrorDescription));
        Assert.That(exception.ErrorName, Does.StartWith("CUDA_ERROR_"));
    }

    [Test]
    public void FallbackNamesFollowTheCConstants()
    {
        Assert.That(CudaErrorText.FallbackName(CuResult.Success), Is.EqualTo("CUDA_SUCCESS"));
        Assert.That(CudaErrorText.FallbackName(CuResult.ErrorNoDevice), Is.EqualTo("CUDA_ERROR_NO_DEVICE"));
        Assert.That(CudaErrorText.FallbackName(CuResult.ErrorInvalidPtx), Is.EqualTo("CUDA_ERROR_INVALID_PTX"));
        Assert.That(CudaErrorText.FallbackName((CuResult)12345), Is.EqualTo("CUresult 12345"));
        Assert.That(NativeNames.ToUpperSnake("X_", "MpsRpcFailure"), Is.EqualTo("X_MPS_RPC_FAILURE"));
    }

    [Test]
    public void EveryCodeTheDriverNamesIsInTheEnumUnderTheSameName()
    {
        RequireDriverLibrary();
        var driverCodes = DriverKnownCodes();
        Assert.That(driverCodes, Is.Not.Empty);
        foreach (var code in driverCodes)
        {
            var result = (CuResult)code;
            Assert.That(Enum.IsDefined(result), Is.True, $"driver code {code} ({CudaErrorText.Name(result)}) is missing from CuResult");
            Assert.That(CudaErrorText.FallbackName(result), Is.EqualTo(CudaErrorText.Name(result)), $"code {code}");
        }

        TestContext.Out.WriteLine($"Driver {CudaDriver.GetDriverVersion()} names {driverCodes.Count} codes; CuResult has {Enum.GetValues<CuResult>().Length}.");
    }

    [Test]
    public void DriverDescriptionsAreSentencesAndUnknownCodesFallBack()
    {
        RequireDriverLibrary();
        foreach (var result in new[] { CuResult.ErrorNoDevice, CuResult.ErrorInvalidValue, CuResult.ErrorLaunchFailed, CuResult.ErrorNotReady })
        {
            Assert.That(CudaErrorText.Description(result), Is.Not.Empty.And.Not.StartWith("no description"), result.ToString());
            Assert.That(CudaErrorText.Describe(result), Is.EqualTo($"{CudaErrorText.Name(result)} ({CudaErrorText.Description(result)})"));
        }

        var unknown = (CuResult)4321;
        Assert.That(CudaErrorText.Name(unknown), Is.EqualTo("CUresult 4321"));
        Assert.That(CudaErrorText.Description(unknown), Does.StartWith("no description"));
    }

    private static void RequireDriverLibrary()
    {
        if (!CudaDriver.IsLibraryLoaded)
        {
            Assert.Ignore($"No CUDA driver library: {CudaDriver.Probe().Reason}");
        }
    }

    /// <summary>Codes for which the driver itself returns a name (asked directly, bypassing the enum fallback).</summary>
    private static unsafe List<int> DriverKnownCodes()
    {
        var known = new List<int>();
        for (var code = 0; code < HighestCodeScanned; code++)
        {
            byte* name = null;
            if (CudaDriverApi.cuGetErrorName((CuResult)code, &name) == CuResult.Success && name is not null)
            {
                known.Add(code);
            }
        }

        return known;
    }
}
