namespace PaliCuda.Generation;

/// <summary>What an engine's pool of generation slots holds and has done (see <see cref="PaliGemmaEngine.GenerationSlots"/>).</summary>
/// <param name="IdleSlots">Slots kept for reuse now.</param>
/// <param name="IdleBytes">Backend memory those slots hold (KV caches, activation arenas, inputs).</param>
/// <param name="SlotsBuilt">Slots allocated (and their graphs recorded) since the engine was made.</param>
/// <param name="SlotsReused">Generations that started in an idle slot instead of a new one.</param>
public sealed record GenerationSlotCounters(int IdleSlots, long IdleBytes, long SlotsBuilt, long SlotsReused);
