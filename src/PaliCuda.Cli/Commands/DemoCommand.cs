using System.CommandLine;
using PaliCuda.Cli.Demo;
using Spectre.Console;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda demo</c>: captions, counts and detects the shipped demo model's sample pictures on the best device here
/// (GPU if usable, else CPU), checks every answer against Hugging Face's, and writes the pictures with boxes drawn.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "Demo checkpoint folder with expected.json (default: the one shipped with palicuda)",
            DefaultValueFactory = _ => DemoRunner.DefaultModelDirectory,
        };
        var device = CommonOptions.Device("auto");
        var output = new Option<string>("--out", "-o") { Description = "Folder for the pictures with boxes", DefaultValueFactory = _ => "demo-output" };
        var weights = WeightsOption.Create("Load the weights in this format");
        var command = new Command("demo", "Run the small demo model on its sample pictures and check the answers against Hugging Face") { model, device, output, weights };
        command.SetAction((parse, cancellationToken) =>
        {
            var console = SpectreConsoles.For(parse.InvocationConfiguration.Output);
            var kind = CommonOptions.ResolveDevice(parse.GetRequiredValue(device));
            var table = new Table().AddColumns("picture", "prompt", "answer", "same as HF");
            var plan = WeightsOption.Resolve(parse.GetValue(weights));
            var report = DemoRunner.Run(parse.GetRequiredValue(model), kind, parse.GetRequiredValue(output), outcome =>
                table.AddRow(
                    Markup.Escape(Path.GetFileName(outcome.Sample.ImagePath)),
                    Markup.Escape(outcome.Expected.Prompt),
                    Markup.Escape(Describe(outcome)),
                    outcome.MatchesHf ? "yes" : $"NO (HF: {Markup.Escape(outcome.Expected.Text)})"), cancellationToken, plan);
            console.WriteLine(plan is null ? $"PaliCuda demo on {report.Device}" : $"PaliCuda demo on {report.Device}, weights {plan}");
            console.Write(table);
            foreach (var picture in report.Pictures) console.WriteLine($"wrote {picture}");
            console.WriteLine($"demo: {report.Matching}/{report.Outcomes.Count} answers identical to Hugging Face transformers");
            return Task.FromResult(report.AllMatch ? ExitCodes.Success : ExitCodes.CheckFailed);
        });
        return command;
    }

    private static string Describe(DemoOutcome outcome)
    {
        var text = outcome.Result.Text.Length > 0 ? outcome.Result.Text : "(nothing)";
        return outcome.Result.Boxes.Count == 0 ? text : $"{text} [{outcome.Result.Boxes.Count} box(es)]";
    }
}
