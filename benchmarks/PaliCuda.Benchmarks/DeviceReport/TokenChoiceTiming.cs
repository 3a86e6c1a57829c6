namespace PaliCuda.Benchmarks.DeviceReport;

/// <summary>Device time of the fused token choice that ends every step, for one setting (median of the repetitions).</summary>
/// <param name="Setting">"argmax" (greedy) or the sampling parameters.</param>
/// <param name="Vocabulary">Columns of the logits row; ids below the model's emittable limit are candidates.</param>
public sealed record TokenChoiceTiming(string Setting, int Vocabulary, double DeviceMicroseconds);
