using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>
/// The global bytes one execution's blocks wrote with plain stores, as runs of consecutive bytes written by
/// one block at one PTX line. Merging the logs of all blocks of a launch finds two blocks writing one byte.
/// </summary>
internal sealed class GlobalWriteLog
{
    public struct Run
    {
        public ulong Start;
        public ulong End;
        public long Block;
        public int Thread;
        public int Line;
    }

    private readonly List<Run> _runs = new();

    public IReadOnlyList<Run> Runs => _runs;

    public void Add(ulong address, int size, long block, int thread, int line)
    {
        if (_runs.Count > 0)
        {
            var last = _runs[^1];
            if (last.Block == block && last.Line == line && last.End == address)
            {
                last.End = address + (ulong)size;
                _runs[^1] = last;
                return;
            }
        }
        _runs.Add(new Run { Start = address, End = address + (ulong)size, Block = block, Thread = thread, Line = line });
    }

    /// <summary>Throws naming both blocks when runs of different blocks overlap. Sorting by start and keeping the
    /// run reaching furthest finds an overlap whenever one exists between runs of different blocks.</summary>
    public static void FindConflict(DecodedKernel kernel, LaunchConfig config, IEnumerable<GlobalWriteLog> logs)
    {
        var runs = logs.SelectMany(l => l._runs).ToArray();
        if (runs.Length < 2) return;
        Array.Sort(runs, (a, b) => a.Start.CompareTo(b.Start));
        var reach = runs[0];
        for (int i = 1; i < runs.Length; i++)
        {
            var r = runs[i];
            if (r.Start < reach.End && r.Block != reach.Block)
            {
                throw new EmulatorException(
                    $"Kernel '{kernel.Name}' ({kernel.ModuleName}): blocks {BlockName(reach.Block, config)} and {BlockName(r.Block, config)} " +
                    $"both write global address 0x{r.Start:X} in one launch with plain stores (first by thread {ThreadName(reach.Thread, config)} " +
                    $"at PTX line {reach.Line} `{kernel.LineText(reach.Line)}`, then by thread {ThreadName(r.Thread, config)} at PTX line {r.Line} " +
                    $"`{kernel.LineText(r.Line)}`); blocks run in no fixed order, so the result would depend on scheduling. Use an atomic or give each block its own output.");
            }
            if (r.End > reach.End) reach = r;
        }
    }

    private static string BlockName(long b, LaunchConfig c) =>
        $"({b % c.Grid.X},{b / c.Grid.X % c.Grid.Y},{b / ((long)c.Grid.X * c.Grid.Y)})";

    private static string ThreadName(int t, LaunchConfig c) =>
        $"({t % c.Block.X},{t / c.Block.X % c.Block.Y},{t / ((long)c.Block.X * c.Block.Y)})";
}
