namespace PaliCuda.Verification;

/// <summary>
/// One tensor checked against the reference. <see cref="Bound"/> is what <see cref="MaxAbsError"/> had to stay under
/// (exact tensors — masks, ids — have bound 0); <see cref="Observed"/> is the fixture's fp32-vs-fp64 figure if any.
/// </summary>
public sealed record TensorComparison(string Name, long Elements, double MaxAbsError, double RelativeError, double Bound, double? Observed, bool Passed, string? Note = null);
