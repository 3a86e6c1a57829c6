using PaliCuda.Generation;

namespace PaliCuda.Tests.Generation;

/// <summary>tiny-pg2 prompts of chosen lengths with their own random pixels, for the generation-slot tests.</summary>
internal static class GenerationPrompts
{
    /// <summary>The image tokens, bos, <paramref name="length"/> − NumImageTokens − 2 random text ids and "\n" (108).</summary>
    public static (float[] Pixels, int[] Ids) Make(PaliGemmaEngine engine, int length, int seed)
    {
        var c = engine.Config;
        var random = new Random(seed);
        var pixels = Enumerable.Range(0, c.Vision.NumChannels * c.Vision.ImageSize * c.Vision.ImageSize)
            .Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        int[] ids =
        [
            .. Enumerable.Repeat(c.ImageTokenIndex, c.NumImageTokens),
            c.BosTokenId,
            .. Enumerable.Range(0, length - c.NumImageTokens - 2).Select(_ => random.Next(3, engine.Model.EmittableVocab)),
            108,
        ];
        return (pixels, ids);
    }
}
