using NUnit.Framework;
using PaliCuda.Kernels;

namespace PaliCuda.Tests.Kernels;

/// <summary>The build's ptxas -v report: present, complete, and parsed right.</summary>
public class PtxasReportTests
{
    [Test]
    public void ReportNamesEveryEntryForEveryCheckedArch()
    {
        var report = EmbeddedPtx.PtxasReport;
        var archs = EmbeddedPtx.BuildInfo.PtxasArchs;
        Assert.That(archs, Is.Not.Empty);
        foreach (var entry in KernelCatalog.Entries)
        {
            var rows = report.For(entry.Name);
            foreach (var arch in archs)
            {
                Assert.That(rows.Where(r => r.Arch == arch && r.Module == entry.Module), Has.Exactly(1).Items,
                    $"ptxas report has no {arch} row for {entry.Module}/{entry.Name}");
            }

            Assert.That(rows.Select(r => r.Registers), Has.All.GreaterThan(0), $"{entry.Name}: register count not read");
        }
    }

    [Test]
    public void ReportIsCopiedToTheOutputFolder()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "kernels", "ptxas-report.txt");
        Assert.That(File.Exists(path), Is.True, $"{path} missing");
        Assert.That(File.ReadAllText(path).ReplaceLineEndings(), Is.EqualTo(EmbeddedPtx.PtxasReportText.ReplaceLineEndings()));
    }

    [Test]
    public void ParsesRegistersSpillsAndSharedMemory()
    {
        const string text = """
            == m sm_80 ==
            ptxas info    : 0 bytes gmem
            ptxas info    : Function properties for helper
            16 bytes stack frame, 16 bytes spill stores, 16 bytes spill loads
            ptxas info    : Compiling entry function 'k' for 'sm_80'
            ptxas info    : Function properties for k
            8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads
            ptxas info    : Used 40 registers, 2048 bytes smem, 376 bytes cmem[0]
            == m sm_90 ==
            ptxas info    : Compiling entry function 'k' for 'sm_90'
            ptxas info    : Function properties for k
            0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
            ptxas info    : Used 38 registers
            """;
        var rows = PtxasReport.Parse(text).Entries;
        Assert.That(rows, Is.EqualTo(new[]
        {
            new PtxasEntryReport("m", "sm_80", "k", 40, 8, 4, 12, 2048),
            new PtxasEntryReport("m", "sm_90", "k", 38, 0, 0, 0, 0),
        }));
        Assert.That(rows[0].Spills, Is.True);
        Assert.That(rows[1].Spills, Is.False);
    }

    [Test]
    public void IncompleteEntryIsAnError()
    {
        const string text = "== m sm_80 ==\nptxas info    : Compiling entry function 'k' for 'sm_80'\n";
        var error = Assert.Throws<InvalidDataException>(() => PtxasReport.Parse(text));
        Assert.That(error!.Message, Does.Contain("'k'"));
    }
}
