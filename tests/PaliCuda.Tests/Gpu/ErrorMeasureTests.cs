using NUnit.Framework;

namespace PaliCuda.Tests.Gpu;

public class ErrorMeasureTests
{
    [Test]
    public void NonFiniteDisagreementsAreCountedAndNeverReachTheNorm()
    {
        float[] reference = [1f, float.NaN, 2f, float.PositiveInfinity, float.NaN, float.NegativeInfinity, 3f];
        float[] actual = [1f, 0.5f, float.NaN, float.NegativeInfinity, float.NaN, float.NegativeInfinity, 3f];
        var m = ErrorMeasure.Of(reference, actual);
        Assert.Multiple(() =>
        {
            // Index 1: a NaN the device did not produce; 2: a NaN it produced; 3: the wrong infinity.
            Assert.That(m.NonFiniteMismatches, Is.EqualTo(3));
            Assert.That(m.FirstMismatch, Is.EqualTo(1));
            // Both NaN (4) and the same infinity (5) agree; the finite elements are equal.
            Assert.That(m.RelativeL2, Is.EqualTo(0));
        });
    }

    [Test]
    public void AMissingNaNFailsAssertClose()
    {
        var e = Assert.Throws<AssertionException>(() => GpuOpHarness.AssertClose("check", [float.NaN, 1f], [0f, 1f], 1e-3));
        Assert.That(e!.Message, Does.Contain("disagree with the reference on NaN"));
    }
}
