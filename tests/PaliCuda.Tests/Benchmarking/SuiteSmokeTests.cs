using NUnit.Framework;
using PaliCuda.Benchmarks.Infrastructure;
using PaliCuda.Benchmarks.Suites;
using PaliCuda.Generation;

namespace PaliCuda.Tests.Benchmarking;

/// <summary>
/// CI smoke run of the BenchmarkDotNet suites: each suite's smallest case (emulated device, tiny shapes) is set up,
/// invoked twice and torn down exactly as the in-process toolchain would, and must log device times and memory.
/// </summary>
[NonParallelizable]
public class SuiteSmokeTests
{
    [SetUp]
    public void SmokeOnly()
    {
        BenchmarkSelection.SmokeOnly = true;
        MeasurementLog.Clear();
    }

    [TearDown]
    public void Restore() => BenchmarkSelection.SmokeOnly = false;

    [Test]
    public void KernelSuiteSmallestCaseLogsDeviceTimeAndCeilings()
    {
        var cases = KernelBenchmarks.Cases().ToList();
        Assert.That(cases, Has.Count.EqualTo(1));
        var suite = new KernelBenchmarks { Case = cases[0] };
        suite.Setup();
        try
        {
            suite.Run();
            suite.Run();
        }
        finally
        {
            suite.Cleanup();
        }
        Assert.That(cases[0].Device, Is.EqualTo(DeviceKind.Emulated));
        Assert.That(MeasurementLog.Count(cases[0].Key), Is.EqualTo(2));
        Assert.That(MeasurementLog.MedianDeviceMs(cases[0].Key), Is.GreaterThan(0));
        var ceilings = MeasurementLog.KnownCeilings(DeviceKind.Emulated);
        Assert.That(ceilings, Is.Not.Null);
        Assert.That(ceilings!.BytesPerSecond, Is.GreaterThan(0));
        Assert.That(ceilings.FlopsPerSecond, Is.GreaterThan(0));
        Assert.That(MetricColumns.All.Select(c => c.ColumnName), Does.Contain("Device ms").And.Contain("% GEMM ceiling"));
    }

    [Test]
    public void TimeToFirstTokenSuiteSmallestCaseLogsDeviceTimeAndPeakMemory()
    {
        var c = TimeToFirstTokenBenchmarks.Cases().Single();
        var suite = new TimeToFirstTokenBenchmarks { Case = c };
        suite.Setup();
        int first, second;
        try
        {
            first = suite.TimeToFirstToken();
            second = suite.TimeToFirstToken();
        }
        finally
        {
            suite.Cleanup();
        }
        Assert.That(second, Is.EqualTo(first), "the same image and prompt give the same first token");
        Assert.That(MeasurementLog.Count(c.Key), Is.EqualTo(2));
        Assert.That(MeasurementLog.MedianDeviceMs(c.Key), Is.GreaterThan(0));
        Assert.That(MeasurementLog.PeakBytes(c.Key), Is.GreaterThan(0));
    }

    [Test]
    public void DecodeSuiteSmallestCaseLogsDeviceTime()
    {
        var c = DecodeBenchmarks.Cases().Single();
        var suite = new DecodeBenchmarks { Case = c };
        suite.Setup();
        try
        {
            for (var i = 0; i < 3; i++)
                Assert.That(suite.DecodeToken(), Is.InRange(0, Benchmarks_TinyVocab - 1));
        }
        finally
        {
            suite.Cleanup();
        }
        Assert.That(MeasurementLog.Count(c.Key), Is.EqualTo(3));
        Assert.That(MeasurementLog.MedianDeviceMs(c.Key), Is.GreaterThan(0));
    }

    private static int Benchmarks_TinyVocab => PaliCuda.Benchmarking.BenchmarkModels.Tiny.Text.VocabSize;
}
