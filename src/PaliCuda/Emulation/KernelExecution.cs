using System.Runtime.CompilerServices;
using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>
/// Runs one launch of a decoded kernel: blocks one after another, each block's warps in lockstep
/// (32 lanes under an active mask) interleaved at barriers.
/// </summary>
internal sealed partial class KernelExecution
{
    private readonly DecodedKernel _k;
    private readonly DecodedInstruction[] _code;
    private readonly int[] _pool;
    private readonly EmulatedHeap _heap;
    private readonly MemoryRegion _params;
    private readonly MemoryRegion _shared;
    private readonly Dim3 _grid, _block;
    private readonly WarpState[] _warps;
    /// <summary>Local depots, one per thread of a block (index: warp * 32 + lane).</summary>
    private readonly MemoryRegion[] _local;
    private readonly bool _checkInit;
    private readonly EmulatorOptions _options;
    private readonly bool _logGlobalWrites;
    private readonly int? _perturbation;
    // The first operand of the instruction being perturbed, one value per lane (see Execute).
    private readonly ulong[] _perturbationInputs;
    private readonly long _instructionLimit;
    private uint _bx, _by, _bz;
    private long _blockIndex;
    private int _pc;
    private WarpState _current = null!;

    /// <summary>Warp-instructions executed (one per instruction issued to a warp, whatever its active mask).</summary>
    public long WarpInstructions { get; private set; }

    /// <summary>Global stores of the blocks this execution ran (when cross-block conflicts are checked).</summary>
    public GlobalWriteLog GlobalWrites { get; } = new();

    public KernelExecution(DecodedKernel kernel, EmulatedHeap heap, byte[] parameterBlock, LaunchConfig config, EmulatorOptions options)
    {
        bool checkInitialization = options.DetectUninitializedReads;
        _options = options;
        _logGlobalWrites = options.DetectCrossBlockWriteConflicts && config.Grid.Volume > 1;
        _perturbation = options.ApproximationPerturbationSeed;
        _perturbationInputs = _perturbation is null ? [] : new ulong[32];
        _instructionLimit = options.MaxWarpInstructions ?? long.MaxValue;
        _k = kernel;
        _code = kernel.Code;
        _pool = kernel.VectorPool;
        _heap = heap;
        _grid = config.Grid;
        _block = config.Block;
        _checkInit = checkInitialization;
        _params = new MemoryRegion("parameters", 0, parameterBlock.Length, false);
        parameterBlock.CopyTo(_params.Data, 0);
        int sharedBytes = config.DynamicSharedBytes > 0 ? kernel.DynamicSharedOffset + config.DynamicSharedBytes : kernel.StaticSharedBytes;
        _shared = new MemoryRegion("shared", 0, sharedBytes, checkInitialization);
        int threads = (int)_block.Volume;
        int warpCount = (threads + 31) / 32;
        _warps = new WarpState[warpCount];
        _local = new MemoryRegion[warpCount * 32];
        for (int w = 0; w < warpCount; w++)
        {
            var warp = new WarpState(w, kernel.RegisterCount);
            foreach (var (reg, value) in kernel.Constants)
                Array.Fill(warp.Registers, value, reg * 32, 32);
            int live = Math.Min(32, threads - w * 32);
            warp.Exists = live == 32 ? uint.MaxValue : (1u << live) - 1;
            _warps[w] = warp;
            for (int l = 0; l < 32; l++)
                _local[w * 32 + l] = new MemoryRegion("local", 0, kernel.LocalBytes, false);
        }
    }

    /// <summary>Runs block <paramref name="linear"/> (x fastest) to completion.</summary>
    public void RunBlock(long linear)
    {
        _blockIndex = linear;
        _bx = (uint)(linear % _grid.X);
        _by = (uint)(linear / _grid.X % _grid.Y);
        _bz = (uint)(linear / ((long)_grid.X * _grid.Y));
        RunWarps();
    }

    private void RunWarps()
    {
        BeginSharedInterval();
        _shared.ClearInitialized();
        ResetAsyncCopies(_warps.Length * 32);
        foreach (var w in _warps)
        {
            FillSpecialRegisters(w);
            w.Exited = 0;
            w.Depth = 0;
            w.Push(0, w.Exists, -1);
            w.AtBarrier = false;
            w.Done = false;
        }
        while (true)
        {
            bool anyLive = false;
            foreach (var w in _warps)
            {
                if (w.Done || w.AtBarrier) continue;
                RunWarp(w);
            }
            foreach (var w in _warps)
            {
                if (w.Done) continue;
                anyLive = true;
                w.AtBarrier = false;
            }
            if (!anyLive) return;
            BeginSharedInterval();
        }
    }

    private void FillSpecialRegisters(WarpState w)
    {
        var r = w.Registers;
        foreach (var (reg, kind) in _k.Specials)
        {
            int baseIndex = reg * 32;
            for (int l = 0; l < 32; l++)
            {
                long t = w.Index * 32L + l;
                ulong tx = (ulong)(t % _block.X), ty = (ulong)(t / _block.X % _block.Y), tz = (ulong)(t / ((long)_block.X * _block.Y));
                r[baseIndex + l] = kind switch
                {
                    SpecialRegister.TidX => tx,
                    SpecialRegister.TidY => ty,
                    SpecialRegister.TidZ => tz,
                    SpecialRegister.NtidX => _block.X,
                    SpecialRegister.NtidY => _block.Y,
                    SpecialRegister.NtidZ => _block.Z,
                    SpecialRegister.CtaidX => _bx,
                    SpecialRegister.CtaidY => _by,
                    SpecialRegister.CtaidZ => _bz,
                    SpecialRegister.NctaidX => _grid.X,
                    SpecialRegister.NctaidY => _grid.Y,
                    SpecialRegister.NctaidZ => _grid.Z,
                    SpecialRegister.LaneId => (ulong)l,
                    SpecialRegister.WarpId => (ulong)w.Index,
                    SpecialRegister.NWarpId => (ulong)_warps.Length,
                    SpecialRegister.SmId => 0,
                    SpecialRegister.LanemaskEq => 1UL << l,
                    SpecialRegister.LanemaskLt => (1UL << l) - 1,
                    SpecialRegister.LanemaskLe => (2UL << l) - 1 & 0xFFFF_FFFF,
                    SpecialRegister.LanemaskGt => ~((2UL << l) - 1) & 0xFFFF_FFFF,
                    _ => ~((1UL << l) - 1) & 0xFFFF_FFFF,
                };
            }
        }
    }

    /// <summary>Runs a warp until it reaches a barrier or all its lanes have exited.</summary>
    private void RunWarp(WarpState w)
    {
        _current = w;
        var code = _code;
        var R = w.Registers;
        long issued = 0;
        // One compare per instruction keeps a runaway kernel (an infinite loop in untrusted PTX) from hanging the caller.
        long allowed = _instructionLimit - WarpInstructions;
        try
        {
            while (true)
            {
                if (w.Depth == 0) { w.Done = true; return; }
                ref var top = ref w.Stack[w.Depth - 1];
                uint active = top.Mask & ~w.Exited;
                if (active == 0 || top.Pc == top.Rpc) { w.Depth--; continue; }
                int pc = top.Pc;
                _pc = pc;
                if ((uint)pc >= (uint)code.Length)
                    throw Fail(LowestLane(active), "execution ran past the end of the kernel without ret/exit", null);
                ref var ins = ref code[pc];
                uint m = active;
                if (ins.Guard >= 0) m = GuardMask(R, ins.Guard, ins.GuardNegated, active);
                if (++issued > allowed)
                    throw Fail(LowestLane(active), $"the launch issued more than {_instructionLimit} warp-instructions (EmulatorOptions.MaxWarpInstructions)", null);
                switch (ins.Op)
                {
                    case Opcode.Bra:
                    {
                        uint notTaken = active & ~m;
                        if (m == 0) { top.Pc = pc + 1; break; }
                        if (notTaken == 0) { top.Pc = ins.Target; break; }
                        Diverge(w, ins.Target, m, pc + 1, notTaken, ins.Reconverge);
                        break;
                    }
                    case Opcode.Exit:
                        w.Exited |= m;
                        top.Pc = pc + 1;
                        break;
                    case Opcode.BarSync:
                    {
                        uint live = w.Exists & ~w.Exited;
                        if (m != active || active != live)
                            throw Fail(LowestLane(active), $"barrier reached by a divergent warp (active lanes 0x{active:X8}, live lanes 0x{live:X8})", null);
                        top.Pc = pc + 1;
                        w.AtBarrier = true;
                        return;
                    }
                    default:
                        if (m != 0) Execute(ref ins, R, m, w);
                        // Execute may not push; re-read the top entry in case the stack array moved.
                        w.Stack[w.Depth - 1].Pc = pc + 1;
                        break;
                }
            }
        }
        finally
        {
            WarpInstructions += issued;
        }
    }

    /// <summary>Splits the current entry at a divergent branch. Paths that start at the reconvergence point need
    /// no entry (their lanes wait in the entry below); when the current entry already reconverges at the same
    /// point it is replaced rather than nested, so loops do not grow the stack.</summary>
    private static void Diverge(WarpState w, int takenPc, uint taken, int fallPc, uint fall, int rpc)
    {
        ref var top = ref w.Stack[w.Depth - 1];
        if (top.Rpc == rpc) w.Depth--;
        else top.Pc = rpc;
        if (fallPc != rpc) w.Push(fallPc, fall, rpc);
        if (takenPc != rpc) w.Push(takenPc, taken, rpc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint GuardMask(ulong[] R, int guard, bool negated, uint active)
    {
        int g = guard * 32;
        uint m = 0;
        ulong want = negated ? 0UL : 1UL;
        for (int l = 0; l < 32; l++)
            if ((R[g + l] & 1) == want) m |= 1u << l;
        return m & active;
    }

    private static int LowestLane(uint mask) => mask == 0 ? 0 : System.Numerics.BitOperations.TrailingZeroCount(mask);

    /// <summary>An error naming kernel, block, thread, PTX line and (when given) address.</summary>
    private EmulatorException Fail(int lane, string what, ulong? address)
    {
        long t = _current.Index * 32L + lane;
        long tx = t % _block.X, ty = t / _block.X % _block.Y, tz = t / ((long)_block.X * _block.Y);
        int line = (uint)_pc < (uint)_code.Length ? _code[_pc].Line : 0;
        string at = address is ulong a ? $" at address 0x{a:X}" : "";
        string registers = _options.DumpRegistersOnFault ? RegisterDump(lane) : "";
        return new EmulatorException(
            $"Kernel '{_k.Name}' ({_k.ModuleName}) block ({_bx},{_by},{_bz}) thread ({tx},{ty},{tz}) PTX line {line} `{_k.LineText(line)}`: {what}{at}.{registers}");
    }

    /// <summary>The named registers of one lane of the current warp, in declaration order.</summary>
    private string RegisterDump(int lane)
    {
        var sb = new System.Text.StringBuilder("\nRegisters of this thread:");
        var names = _k.RegisterNames;
        for (int r = 0; r < names.Length; r++)
        {
            if (names[r] == null) continue;
            ulong v = _current.Registers[r * 32 + lane];
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n  {names[r]} = 0x{v:X}");
            if (_k.RegisterTypes[r] == PtxType.F32) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $" ({FloatMath.Single(v):R})");
            else if (_k.RegisterTypes[r] == PtxType.F64) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $" ({FloatMath.Double(v):R})");
        }
        return sb.ToString();
    }
}
