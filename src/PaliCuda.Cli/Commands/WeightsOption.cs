using System.CommandLine;
using PaliCuda.Quantization;

namespace PaliCuda.Cli.Commands;

/// <summary>The <c>--weights</c> option: which weight format to load or write, and the per-part plan it means.</summary>
public static class WeightsOption
{
    public static Option<string?> Create(string description) => new("--weights")
    {
        Description = description + " (" + WeightFormats.AllNames + "); SigLIP and the projector stay bf16, int4 keeps the embedding/LM head int8",
    };

    /// <summary>Null when the option was not given (load as stored).</summary>
    public static QuantizationPlan? Resolve(string? name)
    {
        if (name is null) return null;
        if (!WeightFormats.TryParse(name, out var format))
            throw new ArgumentException($"unknown weight format '{name}'; expected {WeightFormats.AllNames} (--weights)", "weights");
        return QuantizationPlan.ForWeights(format);
    }
}
