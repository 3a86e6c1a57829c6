using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>
/// One launch of a kernel: its blocks distributed over host threads (each thread owns a
/// <see cref="KernelExecution"/> with its own shared memory, warps and checks), then the per-block global
/// write logs merged to find blocks that wrote the same bytes.
/// </summary>
internal static class KernelLaunch
{
    /// <summary>Runs every block; returns the warp-instructions issued. The first fault (lowest block) is rethrown.</summary>
    public static long Run(DecodedKernel kernel, EmulatedHeap heap, byte[] parameters, LaunchConfig config, EmulatorOptions options)
    {
        long blocks = config.Grid.Volume;
        int workers = !options.ParallelBlocks || blocks < 2 ? 1
            : (int)Math.Min(blocks, options.MaxParallelism > 0 ? options.MaxParallelism : Environment.ProcessorCount);
        var executions = new KernelExecution[workers];
        for (int i = 0; i < workers; i++)
            executions[i] = new KernelExecution(kernel, heap, parameters, config, options);

        if (workers == 1)
        {
            try
            {
                for (long b = 0; b < blocks; b++) executions[0].RunBlock(b);
            }
            finally
            {
                heap.ConcurrentAccess = false;
            }
        }
        else
        {
            long next = -1;
            var failures = new (long Block, Exception Error)?[workers];
            heap.ConcurrentAccess = true;
            try
            {
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
                {
                    var run = executions[worker];
                    while (true)
                    {
                        long b = Interlocked.Increment(ref next);
                        if (b >= blocks) return;
                        try
                        {
                            run.RunBlock(b);
                        }
                        catch (Exception e) when (e is EmulatorException or PtxFormatException)
                        {
                            failures[worker] = (b, e);
                            Interlocked.Exchange(ref next, blocks); // stop handing out blocks
                            return;
                        }
                    }
                });
            }
            finally
            {
                heap.ConcurrentAccess = false;
            }
            var first = failures.Where(f => f != null).Select(f => f!.Value).OrderBy(f => f.Block).FirstOrDefault();
            if (first.Error != null) throw first.Error;
        }
        if (options.DetectCrossBlockWriteConflicts)
            GlobalWriteLog.FindConflict(kernel, config, executions.Select(e => e.GlobalWrites));
        return executions.Sum(e => e.WarpInstructions);
    }
}
