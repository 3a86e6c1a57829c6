using PaliCuda.Generation;
using PaliCuda.Graph;
using PaliCuda.Imaging;
using PaliCuda.Text;

namespace PaliCuda.Pipeline;

/// <summary>
/// Image file + prompt text in, answer text out: the engine with the checkpoint's own tokenizer and SigLIP image
/// preprocessing, as Hugging Face's PaliGemmaProcessor + generate() do it. For embedding callers who have files and
/// strings; callers with ids and pixel values use <see cref="PaliGemmaEngine"/> directly.
/// </summary>
public sealed class PaliGemmaPipeline : IDisposable
{
    /// <summary>The SentencePiece tokenizer file a HF PaliGemma checkpoint folder ships (preferred when present).</summary>
    public const string TokenizerFileName = "tokenizer.model";

    /// <summary>The Hugging Face fast-tokenizer file, used when a checkpoint ships no <see cref="TokenizerFileName"/>.</summary>
    public const string TokenizerJsonFileName = PaliGemmaTokenizer.TokenizerJsonFileName;

    public PaliGemmaEngine Engine { get; }
    public PaliGemmaTokenizer Tokenizer { get; }
    public SiglipImageProcessor ImageProcessor { get; }
    private readonly PaliGemmaPrompt _prompt;

    private PaliGemmaPipeline(PaliGemmaEngine engine, PaliGemmaTokenizer tokenizer, ImageLoadOptions? imageOptions)
    {
        Engine = engine;
        Tokenizer = tokenizer;
        ImageProcessor = new SiglipImageProcessor(engine.Config.Vision.ImageSize,
            imageOptions ?? new ImageLoadOptions { Limits = engine.Options.Limits.Images });
        _prompt = new PaliGemmaPrompt(tokenizer, engine.Config.NumImageTokens, engine.Config.ImageTokenIndex);
    }

    /// <summary>
    /// Loads the checkpoint folder (config, weights, and tokenizer.model, or tokenizer.json when there is no
    /// tokenizer.model) onto the device named in the options. Input bounds come from <see cref="EngineOptions.Limits"/>;
    /// <paramref name="imageOptions"/>, when given, replaces its image part.
    /// </summary>
    public static PaliGemmaPipeline Open(string modelDirectory, EngineOptions? engineOptions = null, ImageLoadOptions? imageOptions = null)
    {
        engineOptions ??= new EngineOptions();
        // Read the small files first so a missing tokenizer fails before gigabytes of weights are placed on a device.
        var tokenizer = LoadTokenizer(modelDirectory, engineOptions.Limits.Tokenizer);
        var engine = PaliGemmaEngine.Load(modelDirectory, engineOptions);
        return new PaliGemmaPipeline(engine, tokenizer, imageOptions);
    }

    /// <summary>
    /// The checkpoint's tokenizer: <c>tokenizer.model</c> when present (the file the model was trained with), otherwise
    /// <c>tokenizer.json</c>, which encodes identically for Gemma-style checkpoints.
    /// </summary>
    /// <exception cref="TokenizerFormatException">The folder has neither file, or the file is malformed or unsupported.</exception>
    public static PaliGemmaTokenizer LoadTokenizer(string modelDirectory, TokenizerLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        var modelPath = Path.Combine(modelDirectory, TokenizerFileName);
        if (File.Exists(modelPath))
            return PaliGemmaTokenizer.FromSentencePieceFile(modelPath, limits);
        var jsonPath = Path.Combine(modelDirectory, TokenizerJsonFileName);
        if (File.Exists(jsonPath))
            return PaliGemmaTokenizer.FromTokenizerJsonFile(jsonPath, limits);
        throw new TokenizerFormatException(Path.GetFullPath(modelDirectory),
            $"the checkpoint folder has no tokenizer: {TokenizerFileName} does not exist, and neither does {TokenizerJsonFileName}");
    }

    /// <summary>
    /// The prompt ids for <paramref name="prompt"/>: image tokens, BOS, the prompt, "\n". The text length is checked
    /// before tokenizing, the token count against the positions left after <paramref name="maxNewTokens"/>.
    /// </summary>
    /// <exception cref="PromptTooLongException">Too many characters or tokens.</exception>
    /// <exception cref="ModelInputException"><paramref name="maxNewTokens"/> leaves no room for any prompt.</exception>
    public int[] BuildInputIds(string prompt, int maxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var maxChars = Engine.Options.Limits.MaxPromptChars;
        if (prompt.Length > maxChars)
            throw PromptTooLongException.ForCharacters(prompt.Length, maxChars);
        var limit = Engine.Options.MaxTotalTokens ?? Engine.Config.Text.MaxPositionEmbeddings;
        // The shortest prompt is the image tokens, BOS and the "\n" piece.
        var shortest = _prompt.ImageTokenCount + 2;
        if (maxNewTokens < 0 || maxNewTokens > limit - shortest)
            throw new ModelInputException(
                $"{maxNewTokens} new tokens do not fit: the model holds {limit} positions (max_position_embeddings or " +
                $"EngineOptions.MaxTotalTokens) and the shortest prompt takes {shortest}, so at most {Math.Max(0, limit - shortest)} (max new tokens)");
        return _prompt.BuildInputIds(prompt, limit - maxNewTokens);
    }

    /// <summary>
    /// Answers <paramref name="prompt"/> about the image file. <paramref name="onText"/> receives the answer's text as
    /// it grows (each call: the new characters only, special tokens skipped).
    /// </summary>
    public PipelineResult Run(string imagePath, string prompt, GenerationOptions? options = null,
        Action<string>? onText = null, CancellationToken cancellationToken = default)
    {
        options ??= new GenerationOptions();
        // The prompt is checked first: it is cheaper than decoding the image.
        var inputIds = BuildInputIds(prompt, options.MaxNewTokens);
        var image = RgbImageLoader.Load(imagePath, ImageProcessor.Options);
        var pixels = ImageProcessor.Preprocess(image);
        var ids = new List<int>();
        var shown = "";
        var result = Engine.Generate(pixels.Data, inputIds, options, token =>
        {
            ids.Add(token.Id);
            if (onText is null) return;
            // Decode the whole answer each step: SentencePiece pieces and byte-fallback sequences only form
            // complete characters in context.
            var text = Tokenizer.Decode(ids, skipSpecialTokens: true);
            if (text.Length > shown.Length && text.StartsWith(shown, StringComparison.Ordinal))
            {
                onText(text[shown.Length..]);
                shown = text;
            }
        }, cancellationToken);
        var answer = Tokenizer.Decode(result.TokenIds, skipSpecialTokens: true);
        var boxes = DetectionParser.Parse(answer, image.Width, image.Height);
        return new PipelineResult(inputIds, result, answer, Tokenizer.Decode(result.TokenIds, skipSpecialTokens: false), boxes, image.Width, image.Height);
    }

    public void Dispose() => Engine.Dispose();
}
