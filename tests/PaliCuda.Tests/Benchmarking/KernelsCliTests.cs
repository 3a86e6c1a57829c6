using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Benchmarking;
using PaliCuda.Cli;
using static PaliCuda.Tests.Cli.CliHarness;

namespace PaliCuda.Tests.Benchmarking;

/// <summary><c>palicuda kernels</c> and <c>kernels compare</c> in-process on the emulated device.</summary>
public class KernelsCliTests
{
    [Test]
    public async Task KernelsListsEveryOpAndRegisteredVariantWithPtxasRegisters()
    {
        var (code, output, _) = await Run("kernels");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        foreach (var op in KernelOps.All) Assert.That(output, Does.Contain(op));
        foreach (var (op, variants) in KernelVariants.All)
            foreach (var v in variants) Assert.That(output, Does.Contain(v.Name), $"{op}/{v.Name}");
        var report = VariantComparison.TryReport();
        Assert.That(report, Is.Not.Null);
        var decodeRegisters = report!.For("palicuda_attention_decode_split").Single(r => r.Arch == VariantComparison.ReportArch).Registers;
        Assert.That(output, Does.Contain(decodeRegisters + " / "));
    }

    [Test]
    public async Task CompareRunsEveryVariantOfDecodeAttentionWithinTheErrorBound()
    {
        var (code, output, err) = await Run("kernels", "compare", "attention.decode", "--device", "emulated", "--shape", "q=1,kv=40,heads=4,kv_heads=2,head_dim=16", "--repetitions", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        foreach (var v in KernelVariants.All[KernelVariants.AttentionDecode]) Assert.That(output, Does.Contain(v.Name));
        var last = output.TrimEnd().Split('\n')[^1];
        var count = KernelVariants.All[KernelVariants.AttentionDecode].Count;
        Assert.That(last, Does.Match($@"^kernels compare: {count}/{count} variants within rel err \d\.\d\dE-\d\d\d; worst \d\.\d\dE-\d\d\d$"));
    }

    [TestCase("matmul", "--shape", "m=2,n=3", "lacks k")]
    [TestCase("matmul", "--shape", "m=2,n=3,k=x", "positive integer")]
    [TestCase("no.such.op", "--device", "emulated", "unknown op 'no.such.op'")]
    public async Task BadOpOrShapeIsAUsageErrorNamingTheProblem(string op, string option, string value, string expected)
    {
        var (code, _, err) = await Run("kernels", "compare", op, option, value);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain(expected));
    }
}
