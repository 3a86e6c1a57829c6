using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Generation;

/// <summary>
/// What one generation of a shape class runs in: its KV cache, the prefill executor (recorded for the class's padded
/// prompt) and the decode executor, both captured after their first run where the backend can. A slot serves one
/// generation at a time; the engine's <see cref="GenerationSlotPool"/> keeps idle ones for the next generation of the
/// class, which then replays the captured graphs with its own inputs.
/// </summary>
/// <remarks>
/// Reuse gives exactly the tokens a fresh slot gives: the prefill writes every KV slot it can read ([0, prompt class)),
/// a decode step writes its own slot before attending to it and reads nothing above it, the activations and the
/// argmax output are written before they are read in every run, and the inputs are all rewritten per generation
/// (pixels, ids, positions, lengths) or per step (token, position).
/// </remarks>
internal sealed class GenerationSlot : IDisposable
{
    private static readonly string[] Outputs = [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken];

    public GenerationSlotKey Key { get; }
    public StateSet State { get; }
    public Executor Prefill { get; }
    public Executor Decode { get; }

    private GenerationSlot(GenerationSlotKey key, StateSet state, Executor prefill, Executor decode)
    {
        Key = key;
        State = state;
        Prefill = prefill;
        Decode = decode;
    }

    /// <summary>Backend memory the slot holds: KV cache, activation arenas and input blocks of both executors.</summary>
    public long Bytes => State.TotalBytes + Prefill.AllocatedBytes + Decode.AllocatedBytes;

    /// <summary>Records the class's graphs and allocates everything they use; on failure releases what it allocated.</summary>
    public static GenerationSlot Build(PaliGemmaModel model, WeightSet weights, GenerationSlotKey key)
    {
        var state = new StateSet(weights.Backend);
        Executor? prefill = null;
        try
        {
            prefill = new Executor(model.RecordPrefill(key.PromptCapacity, key.CacheCapacity, allLogits: false, key.DeviceSampling), weights, state, Outputs)
            {
                CaptureAfterFirstRun = true,
            };
            var decode = new Executor(model.RecordDecode(key.CacheCapacity, key.DeviceSampling), weights, state, Outputs) { CaptureAfterFirstRun = true };
            return new GenerationSlot(key, state, prefill, decode);
        }
        catch (Exception e)
        {
            prefill?.Dispose();
            state.Dispose();
            if (e is OutOfMemoryException)
                throw new OutOfMemoryException($"out of memory building a generation slot (prefill for {key.PromptCapacity} ids, KV cache of {key.CacheCapacity} positions): {e.Message}", e);
            throw;
        }
    }

    public void Dispose()
    {
        Prefill.Dispose();
        Decode.Dispose();
        State.Dispose();
    }
}
