using System.Text.Json;

namespace PaliCuda.Cli.Demo;

/// <summary>
/// The demo model's <c>expected.json</c>: for each sample picture, the prompts asked and what Hugging Face's greedy
/// <c>generate</c> answered (ids and text), plus the ground-truth shapes the picture was drawn with.
/// </summary>
public sealed record DemoExpectations(int MaxNewTokens, IReadOnlyList<DemoSample> Samples)
{
    public const string FileName = "expected.json";
    /// <summary>expected.json's generate_call says max_new_tokens=48.</summary>
    public const int HfMaxNewTokens = 48;

    public static DemoExpectations Read(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, FileName);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var samples = doc.RootElement.GetProperty("samples").EnumerateArray().Select(s => new DemoSample(
            Path.Combine(modelDirectory, s.GetProperty("image").GetString()!),
            s.GetProperty("objects").EnumerateArray().Select(ReadObject).ToList(),
            s.GetProperty("cases").EnumerateArray().Select(c => new DemoCase(
                c.GetProperty("prompt").GetString()!,
                Ints(c.GetProperty("input_ids")),
                Ints(c.GetProperty("generated_ids")),
                c.GetProperty("decoded_skip_special").GetString()!)).ToList())).ToList();
        return new DemoExpectations(HfMaxNewTokens, samples);
    }

    private static DemoObject ReadObject(JsonElement o)
    {
        var box = o.GetProperty("box_xyxy_pixels").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return new DemoObject(o.GetProperty("color").GetString()!, o.GetProperty("shape").GetString()!, box[0], box[1], box[2], box[3]);
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}

/// <summary>One sample picture with its ground-truth shapes and the prompts asked about it.</summary>
public sealed record DemoSample(string ImagePath, IReadOnlyList<DemoObject> Objects, IReadOnlyList<DemoCase> Cases);

/// <summary>A shape drawn in a sample picture; box in pixels of the original picture.</summary>
public sealed record DemoObject(string Color, string Shape, float XMin, float YMin, float XMax, float YMax);

/// <summary>One prompt and HF's answer to it.</summary>
public sealed record DemoCase(string Prompt, IReadOnlyList<int> InputIds, IReadOnlyList<int> GeneratedIds, string Text);
