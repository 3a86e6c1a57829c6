namespace PaliCuda.Graph;

/// <summary>
/// What one sampling step chose: the token, and how many ids survived top-k and top-p (the kept set is always the
/// first <see cref="Kept"/> ids of the (logit desc, id asc) order, so the count identifies it).
/// </summary>
public readonly record struct SampleChoice(int Token, int Kept);
