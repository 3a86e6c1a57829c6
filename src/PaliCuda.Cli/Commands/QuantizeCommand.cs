using System.CommandLine;
using System.Globalization;
using PaliCuda.Quantization;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda quantize</c>: writes a quantized copy of a checkpoint folder (weights, config, tokenizer files) that
/// every other command loads like an ordinary checkpoint.
/// </summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("Checkpoint folder to quantize");
        var output = new Option<string>("--out", "-o") { Description = "Folder for the quantized checkpoint (created if missing)", Required = true };
        var weights = WeightsOption.Create("Weight format to store");
        weights.Required = true;
        var command = new Command("quantize", "Write a quantized copy of a checkpoint (int8, int4, fp8 or bf16 weights)") { model, output, weights };
        command.SetAction((parse, cancellationToken) =>
        {
            var writer = parse.InvocationConfiguration.Output;
            var plan = WeightsOption.Resolve(parse.GetValue(weights))!;
            var summary = CheckpointQuantizer.Quantize(parse.GetRequiredValue(model), parse.GetRequiredValue(output), plan,
                _ => cancellationToken.ThrowIfCancellationRequested());
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"quantize: wrote {summary.WeightsPath} ({summary.Plan}): {summary.PackedWeights} packed weights, {summary.StoredTensors} tensors, " +
                $"{summary.OutputBytes / 1048576.0:F2} MiB from {summary.SourceBytes / 1048576.0:F2} MiB; copied {string.Join(", ", summary.CopiedFiles)}"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
