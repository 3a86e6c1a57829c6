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
        var model = CommonOptions.Model("Checkpoint folder (config.json, model.safetensors or an index, tokenizer.model or tokenizer.json)");
        var image = new Option<FileInfo>("--image", "-i") { Description = "Image file (PNG, JPEG, ...)", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt, e.g. \"caption en\" or \"detect cat\"", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = $"Stop after this many tokens (1 to {ArgumentRanges.MaxNewTokens}, and at most the model's positions minus the prompt)", DefaultValueFactory = _ => 64 };
        var device = CommonOptions.Device("auto");
        var window = CommonOptions.WindowSemantics();
        var temperature = new Option<float>("--temperature") { Description = $"0 = greedy (default); > 0 samples (at most {ArgumentRanges.MaxTemperature})", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens (0 = all)" };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass in (0, 1] (1 = off)", DefaultValueFactory = _ => 1f };
        var seed = new Option<ulong>("--seed") { Description = "Seed for sampling (same seed, same tokens)" };
        var weights = WeightsOption.Create("Load the weights in this format");

        var command = new Command("generate", "Answer a prompt about an image") { model, image, prompt, maxNew, device, window, temperature, topK, topP, seed, weights };
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            // Ranges first: a bad number must not cost a model load.
            ArgumentRanges.Check(parse.GetValue(maxNew), "--max-new-tokens", 1, ArgumentRanges.MaxNewTokens);
            ArgumentRanges.Check(parse.GetValue(temperature), "--temperature", 0f, ArgumentRanges.MaxTemperature);
            ArgumentRanges.Check(parse.GetValue(topK), "--top-k", 0, ArgumentRanges.MaxTopK);
            ArgumentRanges.Check(parse.GetValue(topP), "--top-p", 0f, 1f, minExclusive: true);
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

            using var pipeline = LoadProgressDisplay.Run(error, progress =>
                PaliGemmaPipeline.Open(parse.GetRequiredValue(model), engineOptions with { LoadProgress = progress }));
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
