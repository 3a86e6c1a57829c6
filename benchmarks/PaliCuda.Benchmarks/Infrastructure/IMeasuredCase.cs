using PaliCuda.Benchmarking;
using PaliCuda.Generation;

namespace PaliCuda.Benchmarks.Infrastructure;

/// <summary>A benchmark parameter that knows its device, its log key and the work one invocation does (for the rate columns).</summary>
public interface IMeasuredCase
{
    DeviceKind Device { get; }
    /// <summary>Unique per case: the key under which invocations log their device time.</summary>
    string Key { get; }
    OpWork Work { get; }
}
