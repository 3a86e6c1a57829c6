using System.Text.Json;
using PaliCuda.Checkpoint;

namespace PaliCuda.Tests;

/// <summary>The tiny fixture's one generation case: pixels, prompt ids and Hugging Face's greedy tokens (from reference.json).</summary>
internal sealed record TinyCase(float[] Pixels, int[] InputIds, int[] Expected)
{
    public static TinyCase Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tiny-pg2", "reference.json")));
        var c = doc.RootElement.GetProperty("cases")[0];
        using var refs = SafetensorsFile.Open(TestPaths.Fixture("tiny-pg2", "reference.safetensors"));
        return new TinyCase(refs.ReadFloat32("pixel_values"),
            c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
