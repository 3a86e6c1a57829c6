using PaliCuda.Fuzz;
using SharpFuzz;

// Usage:
//   PaliCuda.Fuzz TARGET                 run under afl-fuzz (input arrives through SharpFuzz, persistent mode)
//   PaliCuda.Fuzz TARGET --replay FILE…  run the target once per file and say what escaped (for triage)
// An exception deriving from PaliCudaInputException is the expected answer to bad input; anything else escapes
// and is a crash to AFL.
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: PaliCuda.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [--replay FILE...]");
    return 2;
}

if (args.Length > 1 && args[1] == "--replay")
{
    int escaped = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            FuzzTargets.RunOnce(target, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: ok");
        }
        catch (Exception e)
        {
            escaped++;
            Console.WriteLine($"{file}: ESCAPED {e}");
        }
    }
    return escaped == 0 ? 0 : 1;
}

Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzTargets.RunOnce(target, buffer.ToArray());
});
return 0;
