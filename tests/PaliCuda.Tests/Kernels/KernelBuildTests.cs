using System.Diagnostics;
using NUnit.Framework;
using PaliCuda.Kernels;

namespace PaliCuda.Tests.Kernels;

/// <summary>
/// Rebuilds every kernels/*.cu from scratch with the exact nvcc command line the build used
/// (read back from the embedded build info), so a kernel that only compiled thanks to stale
/// intermediate files, or a command line that only works inside MSBuild, fails here.
/// </summary>
public class KernelBuildTests
{
    // Generous: nvcc takes about a second per kernel here, but the machine may be busy.
    private static readonly TimeSpan NvccTimeout = TimeSpan.FromMinutes(3);

    [Test]
    public void KernelsBuildFromACleanTreeWithTheBuildsCommandLine()
    {
        var kernels = KernelSourceTree.FindKernelsDirectory();
        if (kernels is null)
        {
            Assert.Ignore("kernels/ sources are not beside this test run (published bundle): nothing to rebuild.");
        }

        var info = EmbeddedPtx.BuildInfo;
        if (!File.Exists(info.NvccPath))
        {
            Assert.Ignore($"nvcc is not at {info.NvccPath}, where the build found it: cannot rebuild the kernels here.");
        }

        var sources = Directory.GetFiles(kernels!, "*.cu").Order(StringComparer.Ordinal).ToArray();
        Assert.That(sources.Select(Path.GetFileNameWithoutExtension), Is.EquivalentTo(EmbeddedPtx.Modules),
            "every kernels/*.cu is embedded as one module, and nothing else is");

        var output = Directory.CreateTempSubdirectory("palicuda-kernels-");
        try
        {
            // nvcc runs in parallel; the checks run afterwards on this thread so failures read plainly.
            var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
            Parallel.ForEach(sources, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, source =>
            {
                var error = RunNvcc(info, source, PtxPathFor(output, source));
                if (error is not null)
                {
                    failures[source] = error;
                }
            });
            Assert.That(failures, Is.Empty, "nvcc failed on a kernel");

            foreach (var source in sources)
            {
                var stem = Path.GetFileNameWithoutExtension(source);
                var ptxPath = PtxPathFor(output, source);
                var rebuilt = PtxEntryParser.Parse(File.ReadAllText(ptxPath), ptxPath).Select(e => e.Signature);
                var embedded = PtxEntryParser.Parse(EmbeddedPtx.Load(stem), stem).Select(e => e.Signature);
                var table = KernelCatalog.InModule(stem).Select(e => e.Signature);
                Assert.That(rebuilt, Is.EquivalentTo(embedded), $"{stem}: rebuilt PTX entries differ from the embedded ones");
                Assert.That(rebuilt, Is.EquivalentTo(table), $"{stem}: rebuilt PTX entries differ from KernelCatalog");
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static string PtxPathFor(DirectoryInfo output, string source) =>
        Path.Combine(output.FullName, Path.GetFileNameWithoutExtension(source) + ".ptx");

    // Returns null on success, else what went wrong with nvcc's own output.
    private static string? RunNvcc(KernelBuildInfo info, string source, string ptxPath)
    {
        var start = new ProcessStartInfo(info.NvccPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var flag in info.NvccFlags)
        {
            start.ArgumentList.Add(flag);
        }

        start.ArgumentList.Add(source);
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(ptxPath);
        var commandLine = $"{info.NvccPath} {string.Join(' ', start.ArgumentList)}";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(NvccTimeout))
        {
            process.Kill(entireProcessTree: true);
            return $"{commandLine} ran longer than {NvccTimeout}.";
        }

        if (process.ExitCode != 0)
        {
            return $"{commandLine} exited {process.ExitCode}:\n{stdout.Result}{stderr.Result}";
        }

        return File.Exists(ptxPath) ? null : $"{commandLine} wrote no {ptxPath}.";
    }
}
