using System.Globalization;
using PaliCuda.Benchmarking;
using PaliCuda.Generation;

namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>
/// <c>PaliCuda.Benchmarks floors</c>: the floor table of every released shape, under ceilings given as
/// <c>--gbps G --tflops T</c> (e.g. from a device report) or measured on <c>--device</c>.
/// </summary>
public static class FloorsCommand
{
    public static int Run(string[] args, TextWriter output)
    {
        double? gbps = null, tflops = null;
        DeviceKind? device = null;
        var label = "given";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--gbps": gbps = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--tflops": tflops = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--device": device = BackendFactory.Parse(Next()); break;
                case "--label": label = Next(); break;
                default: throw new ArgumentException($"unknown floors argument '{args[i]}'");
            }
        }
        DeviceCeilings ceilings;
        if (device is { } d)
        {
            using var target = BenchmarkTarget.Create(d);
            ceilings = DeviceCeilings.MeasureFor(target);
        }
        else if (gbps is { } g and > 0 && tflops is { } t and > 0)
            ceilings = new DeviceCeilings(label, g * 1e9, t * 1e12, 0, 0, 0, 0);
        else
            throw new ArgumentException("floors needs --gbps and --tflops (positive), or --device");
        output.Write(ModelFloor.MarkdownTable(ModelFloor.Released(), ceilings));
        return 0;
    }
}
