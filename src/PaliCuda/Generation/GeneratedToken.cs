namespace PaliCuda.Generation;

/// <summary>One emitted token: its 0-based step, id, and whether it ended generation.</summary>
public sealed record GeneratedToken(int Step, int Id, bool IsStop);
