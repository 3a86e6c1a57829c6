using BenchmarkDotNet.Running;
using PaliCuda.Benchmarks.DeviceReport;

// `device-report` and `floors` are quick direct measurements for the one-call GPU check; anything else goes to
// BenchmarkDotNet's switcher (e.g. --filter '*KernelBenchmarks*').
try
{
    return args switch
    {
        ["device-report", .. var rest] => DeviceReportRunner.Run(rest, Console.Out),
        ["floors", .. var rest] => FloorsCommand.Run(rest, Console.Out),
        _ => RunSwitcher(args),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int RunSwitcher(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(PaliCuda.Benchmarks.Suites.KernelBenchmarks).Assembly).Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
