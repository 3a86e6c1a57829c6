using System.CommandLine;
using System.Globalization;
using PaliCuda.Generation;
using PaliCuda.Pipeline;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda generate</c>: one image and one prompt, the answer streamed to stdout as it is produced; timings and
/// parsed detection boxes go to stderr so stdout stays the answer alone.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("Checkpoint folder (config.json, model.safetensors or an index, tokenizer.model)");
        var image = new Option<FileInfo>("--image", "-i") { Description = "Image file (PNG, JPEG, ...)", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt, e.g. \"caption en\" or \"detect cat\"", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Stop after this many tokens", DefaultValueFactory = _ => 64 };
        var device = CommonOptions.Device("auto");
        var window = CommonOptions.WindowSemantics();
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default); > 0 samples", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens (0 = all)" };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass (1 = off)", DefaultValueFactory = _ => 1f };
        var seed = new Option<ulong>("--seed") { Description = "Seed for sampling (same seed, same tokens)" };
        var weights = WeightsOption.Create("Load the weights in this format");

        var command = new Command("generate", "Answer a prompt about an image") { model, image, prompt, maxNew, device, window, temperature, topK, topP, seed, weights };
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var engineOptions = new EngineOptions
            {
                Device = CommonOptions.ResolveDevice(parse.GetRequiredValue(device)),
                WindowSemantics = parse.GetValue(window),
                Weights = WeightsOption.Resolve(parse.GetValue(weights)),
            };
            var sampling = new SamplingOptions
            {
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                Seed = parse.GetValue(seed),
            };
            var maxNewTokens = parse.GetValue(maxNew);
            if (maxNewTokens < 1) throw new ArgumentException($"--max-new-tokens must be at least 1, got {maxNewTokens}", "max-new-tokens");
            sampling.Validate();

            using var pipeline = PaliGemmaPipeline.Open(parse.GetRequiredValue(model), engineOptions);
            var result = pipeline.Run(parse.GetRequiredValue(image).FullName, parse.GetRequiredValue(prompt),
                new GenerationOptions { MaxNewTokens = maxNewTokens, Sampling = sampling },
                text => { output.Write(text); output.Flush(); }, cancellationToken);
            output.WriteLine();

            var g = result.Generation;
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pipeline.Engine.Backend.Name}: prompt {result.InputIds.Count} tokens, prefill {g.PrefillTime.TotalMilliseconds:F1} ms; " +
                $"{g.TokenIds.Count} tokens in {g.DecodeTime.TotalMilliseconds:F1} ms; finished by {g.FinishReason}"));
            foreach (var box in result.Boxes)
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"box '{box.Label}': x {box.XMin:F1}..{box.XMax:F1}, y {box.YMin:F1}..{box.YMax:F1} px"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
