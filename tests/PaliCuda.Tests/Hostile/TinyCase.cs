using System.Text.Json;
using PaliCuda.Checkpoint;
using PaliCuda.Tests.Verification;

namespace PaliCuda.Tests.Hostile;

/// <summary>The tiny fixture's one generation case: pixels, prompt ids and HF's greedy answer (from reference.json).</summary>
internal sealed record TinyCase(float[] Pixels, int[] InputIds, int[] Expected)
{
    public static TinyCase Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TinyFixture.Directory, "reference.json")));
        var c = doc.RootElement.GetProperty("cases")[0];
        using var refs = SafetensorsFile.Open(Path.Combine(TinyFixture.Directory, "reference.safetensors"));
        return new TinyCase(refs.ReadFloat32("pixel_values"),
            c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
