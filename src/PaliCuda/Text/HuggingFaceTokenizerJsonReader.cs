using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PaliCuda.Text;

/// <summary>
/// Turns a Hugging Face <c>tokenizer.json</c> of the Gemma kind (a <c>tokenizers</c> BPE model with byte fallback, as
/// transformers' <c>GemmaConverter</c> writes it from <c>tokenizer.model</c>) back into the SentencePiece model it
/// describes, so it is encoded by the same SentencePiece BPE code as a <c>tokenizer.model</c> file.
/// </summary>
/// <remarks>
/// The inverse mapping, field by field:
/// <list type="bullet">
/// <item>ids: <c>model.vocab</c> together with <c>added_tokens</c> must cover 0..N-1 once each.</item>
/// <item>merge priority: SentencePiece BPE merges the adjacent pair whose joined piece has the highest score, the HF
/// BPE model the pair with the lowest merge rank. A piece's score is therefore minus the rank of its first merge, so
/// merges listed earlier win, as in <c>tokenizers</c>. (Every split of one piece then shares that piece's priority;
/// GemmaConverter lists the splits of a piece next to each other, so this is exact for the files it writes.)</item>
/// <item>piece types: <c>model.unk_token</c> is the unknown piece; added tokens with <c>special=true</c> are control
/// pieces, except <c>&lt;start_of_turn&gt;</c>/<c>&lt;end_of_turn&gt;</c>, which GemmaConverter marks special although
/// they are user-defined in <c>tokenizer.model</c>; other added tokens are user-defined (matched verbatim);
/// <c>&lt;0xNN&gt;</c> are byte pieces. GemmaConverter stores the byte piece <c>&lt;0x09&gt;</c> as a literal tab, which is
/// turned back.</item>
/// <item>normaliser: <c>Replace(" ", "▁")</c> is SentencePiece's escaped whitespace without dummy prefix; a leading
/// <c>Prepend("▁")</c> turns the dummy prefix on.</item>
/// </list>
/// Encoding then follows the <c>tokenizer.model</c> path (see <see cref="PaliGemmaTokenizer"/>), including that control
/// pieces written in the text are not matched.
/// </remarks>
internal static class HuggingFaceTokenizerJsonReader
{
    private const string SpaceMarker = "\u2581";
    private const string TabBytePiece = "<0x09>";
    private static readonly HashSet<string> SpecialButUserDefined = new(StringComparer.Ordinal) { "<start_of_turn>", "<end_of_turn>" };
    private static readonly HashSet<string> SupportedDecoderSteps = new(StringComparer.Ordinal) { "Sequence", "Replace", "ByteFallback", "Fuse", "Strip" };

    public static SentencePieceModel Read(ReadOnlySpan<byte> json, string source, TokenizerLimits limits)
    {
        if (json.Length > limits.MaxFileBytes)
            throw new TokenizerFormatException(source, $"is {json.Length} bytes, more than the limit of {limits.MaxFileBytes} (TokenizerLimits.MaxFileBytes)");
        // JsonDocument leaves string contents unchecked until they are read; checking the whole file first gives one
        // clear error instead of a failure deep inside some field.
        if (!Utf8.IsValid(json))
            throw new TokenizerFormatException(source, $"is not valid UTF-8 text (first bad byte at offset {FirstInvalidUtf8(json)})");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(source, $"is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, new Context(source, limits));
            }
            catch (InvalidOperationException e)
            {
                // An escaped lone surrogate ("\ud800") is valid JSON but no valid string; reading it throws this.
                throw new TokenizerFormatException(source, $"has a string that is not valid text: {e.Message}", e);
            }
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
                return offset;
            offset += consumed;
        }

        return offset;
    }

    private static SentencePieceModel Read(JsonElement root, Context cx)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw cx.Error("(root)", $"expected a JSON object, found {root.ValueKind}");
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw cx.Error("model", "is missing or not an object (is this a Hugging Face tokenizer.json?)");

        string modelType = OptionalString(model, "type", "model.type", cx) ?? (model.TryGetProperty("merges", out _) ? "BPE" : "(none)");
        if (modelType != "BPE")
            throw cx.Error("model.type", $"'{modelType}' is not supported; PaliGemma tokenizers are BPE");
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null)
            throw cx.Error("model.dropout", "BPE dropout (sampled segmentation) is not supported; it must be null");
        foreach (string affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (!string.IsNullOrEmpty(OptionalString(model, affix, $"model.{affix}", cx)))
                throw cx.Error($"model.{affix}", "subword prefixes/suffixes are not supported (SentencePiece BPE has none)");
        }

        if (OptionalBool(model, "ignore_merges", "model.ignore_merges", cx))
            throw cx.Error("model.ignore_merges", "true is not supported: SentencePiece BPE always applies the merges");
        bool byteFallback = OptionalBool(model, "byte_fallback", "model.byte_fallback", cx);
        string unkToken = OptionalString(model, "unk_token", "model.unk_token", cx)
            ?? throw cx.Error("model.unk_token", "is missing; a SentencePiece model needs an unknown piece");

        bool addDummyPrefix = ReadNormalizer(root, cx);
        CheckPreTokenizer(root, cx);
        CheckDecoder(root, cx);

        var pieces = ReadVocab(model, cx, out int maxId);
        var added = ReadAddedTokens(root, cx, pieces, ref maxId);
        int size = maxId + 1;
        if (size > cx.Limits.MaxPieces)
            throw cx.Error("model.vocab", $"id {maxId} makes a vocabulary of {size}, more than the limit of {cx.Limits.MaxPieces} (TokenizerLimits.MaxPieces)");
        var pieceArray = new string[size];
        foreach (var (id, piece) in pieces)
            pieceArray[id] = piece;
        for (int id = 0; id < size; id++)
        {
            if (pieceArray[id] is null)
                throw cx.Error("model.vocab", $"id {id} is used by neither model.vocab nor added_tokens (ids must run 0..{size - 1} without gaps)");
        }

        var pieceToId = new Dictionary<string, int>(size, StringComparer.Ordinal);
        for (int id = 0; id < size; id++)
        {
            if (!pieceToId.TryAdd(pieceArray[id], id))
                throw cx.Error("added_tokens", $"'{Escape(pieceArray[id])}' has two ids ({pieceToId[pieceArray[id]]} and {id})");
        }

        var scores = ReadMergeScores(model, cx, pieceToId, size);
        var types = new SentencePiecePieceType[size];
        Array.Fill(types, SentencePiecePieceType.Normal);
        if (byteFallback)
        {
            for (int id = 0; id < size; id++)
            {
                if (IsBytePiece(pieceArray[id]))
                    types[id] = SentencePiecePieceType.Byte;
            }

            // GemmaConverter writes the byte piece <0x09> as a literal tab so that merges can start from tabs.
            if (!pieceToId.ContainsKey(TabBytePiece) && pieceToId.TryGetValue("\t", out int tab) && !added.ContainsKey(tab))
            {
                pieceArray[tab] = TabBytePiece;
                types[tab] = SentencePiecePieceType.Byte;
            }
        }

        foreach (var (id, special) in added)
        {
            types[id] = special && !SpecialButUserDefined.Contains(pieceArray[id])
                ? SentencePiecePieceType.Control
                : SentencePiecePieceType.UserDefined;
        }

        if (!pieceToId.TryGetValue(unkToken, out int unkId))
            throw cx.Error("model.unk_token", $"'{Escape(unkToken)}' is not in the vocabulary");
        types[unkId] = SentencePiecePieceType.Unknown;

        for (int id = 0; id < size; id++)
        {
            if (types[id] != SentencePiecePieceType.Normal)
                scores[id] = 0f;
        }

        return new SentencePieceModel
        {
            Pieces = pieceArray,
            Scores = scores,
            Types = types,
            ModelType = SentencePieceModel.ModelTypeBpe,
            UnkId = unkId,
            BosId = RequiredSpecialId(pieceToId, "<bos>", cx),
            EosId = RequiredSpecialId(pieceToId, "<eos>", cx),
            PadId = pieceToId.TryGetValue("<pad>", out int pad) ? pad : -1,
            ByteFallback = byteFallback,
            AddDummyPrefix = addDummyPrefix,
            RemoveExtraWhitespaces = false,
            EscapeWhitespaces = true,
            NormalizerName = "identity",
            PrecompiledCharsMapLength = 0,
        };
    }

    private static List<(int Id, string Piece)> ReadVocab(JsonElement model, Context cx, out int maxId)
    {
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw cx.Error("model.vocab", "is missing or not an object of piece → id");
        int count = vocab.GetPropertyCount();
        if (count > cx.Limits.MaxPieces)
            throw cx.Error("model.vocab", $"has {count} entries, more than the limit of {cx.Limits.MaxPieces} (TokenizerLimits.MaxPieces)");
        var result = new List<(int, string)>(count);
        var seenPieces = new HashSet<string>(count, StringComparer.Ordinal);
        var idOwner = new Dictionary<int, string>(count);
        maxId = -1;
        foreach (var entry in vocab.EnumerateObject())
        {
            CheckPieceLength(entry.Name, "model.vocab", cx);
            if (!seenPieces.Add(entry.Name))
                throw cx.Error("model.vocab", $"piece '{Escape(entry.Name)}' is listed twice");
            int id = ReadId(entry.Value, $"model.vocab['{Escape(entry.Name)}']", cx);
            if (!idOwner.TryAdd(id, entry.Name))
                throw cx.Error("model.vocab", $"id {id} is given to both '{Escape(idOwner[id])}' and '{Escape(entry.Name)}'");
            maxId = Math.Max(maxId, id);
            result.Add((id, entry.Name));
        }

        return result;
    }

    /// <summary>Reads <c>added_tokens</c>, adding ids the vocabulary lacks to <paramref name="pieces"/>; returns id → special.</summary>
    private static Dictionary<int, bool> ReadAddedTokens(JsonElement root, Context cx, List<(int Id, string Piece)> pieces, ref int maxId)
    {
        var result = new Dictionary<int, bool>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null)
            return result;
        if (list.ValueKind != JsonValueKind.Array)
            throw cx.Error("added_tokens", $"expected an array, found {list.ValueKind}");
        if (list.GetArrayLength() > cx.Limits.MaxPieces)
            throw cx.Error("added_tokens", $"has {list.GetArrayLength()} entries, more than the limit of {cx.Limits.MaxPieces} (TokenizerLimits.MaxPieces)");

        var vocabById = new Dictionary<int, string>(pieces.Count);
        foreach (var (id, piece) in pieces)
            vocabById[id] = piece;
        int index = 0;
        foreach (var token in list.EnumerateArray())
        {
            string where = $"added_tokens[{index++}]";
            if (token.ValueKind != JsonValueKind.Object)
                throw cx.Error(where, $"expected an object, found {token.ValueKind}");
            int id = ReadId(token.TryGetProperty("id", out var idElement) ? idElement : default, $"{where}.id", cx);
            string content = OptionalString(token, "content", $"{where}.content", cx) ?? throw cx.Error($"{where}.content", "is missing");
            CheckPieceLength(content, $"{where}.content", cx);
            foreach (string flag in new[] { "single_word", "lstrip", "rstrip" })
            {
                if (OptionalBool(token, flag, $"{where}.{flag}", cx))
                    throw cx.Error($"{where}.{flag}", $"true is not supported (token '{Escape(content)}'); SentencePiece matches pieces verbatim");
            }

            // Matching on normalised text only differs from matching on raw text where the normaliser changes the token.
            if (OptionalBool(token, "normalized", $"{where}.normalized", cx) && (content.Contains(' ') || content.Contains(SpaceMarker, StringComparison.Ordinal)))
                throw cx.Error($"{where}.normalized", $"a normalised added token containing spaces ('{Escape(content)}') is not supported");
            bool special = OptionalBool(token, "special", $"{where}.special", cx);

            if (vocabById.TryGetValue(id, out string? existing))
            {
                if (existing != content)
                    throw cx.Error(where, $"id {id} is '{Escape(content)}' here but '{Escape(existing)}' in model.vocab");
            }
            else
            {
                vocabById[id] = content;
                pieces.Add((id, content));
                maxId = Math.Max(maxId, id);
            }

            if (!result.TryAdd(id, special))
                throw cx.Error(where, $"id {id} is added twice");
        }

        return result;
    }

    private static float[] ReadMergeScores(JsonElement model, Context cx, Dictionary<string, int> pieceToId, int size)
    {
        if (!model.TryGetProperty("merges", out var merges) || merges.ValueKind != JsonValueKind.Array)
            throw cx.Error("model.merges", "is missing or not an array");
        int count = merges.GetArrayLength();
        if (count > cx.Limits.MaxMerges)
            throw cx.Error("model.merges", $"has {count} entries, more than the limit of {cx.Limits.MaxMerges} (TokenizerLimits.MaxMerges)");

        // Scores are floats: ranks stay exact below 2^24, far above any real merge list.
        const int ExactFloatIntegers = 1 << 24;
        if (count + size >= ExactFloatIntegers)
            throw cx.Error("model.merges", $"{count} merges and {size} pieces are too many to rank exactly as SentencePiece scores");

        var scores = new float[size];
        var ranked = new bool[size];
        int rank = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            string where = $"model.merges[{rank}]";
            var (left, right) = ReadMerge(merge, where, cx);
            foreach (string part in new[] { left, right, left + right })
            {
                if (!pieceToId.ContainsKey(part))
                    throw cx.Error(where, $"'{Escape(left)}' + '{Escape(right)}' refers to '{Escape(part)}', which is not in the vocabulary");
            }

            int merged = pieceToId[left + right];
            if (!ranked[merged])
            {
                ranked[merged] = true;
                scores[merged] = -rank;
            }

            rank++;
        }

        // Pieces no merge produces are never formed by BPE; they rank below every merge.
        for (int id = 0; id < size; id++)
        {
            if (!ranked[id])
                scores[id] = -(count + id);
        }

        return scores;
    }

    private static (string Left, string Right) ReadMerge(JsonElement merge, string where, Context cx)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            // tokenizers before 0.20 writes "left right"; pieces never contain a plain space after the ▁ normaliser.
            string text = merge.GetString()!;
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                throw cx.Error(where, $"'{Escape(text)}' is not two pieces separated by one space");
            return (text[..space], text[(space + 1)..]);
        }

        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
            && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            return (merge[0].GetString()!, merge[1].GetString()!);
        throw cx.Error(where, "expected \"left right\" or [\"left\", \"right\"]");
    }

    /// <summary>Checks the normaliser is the Gemma one; returns whether it prepends a dummy ▁.</summary>
    private static bool ReadNormalizer(JsonElement root, Context cx)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
            throw cx.Error("normalizer", "is null; a Gemma tokenizer.json replaces spaces with ▁ there (Replace \" \" → \"▁\")");
        var steps = new List<JsonElement>();
        if (TypeOf(normalizer, "normalizer", cx) == "Sequence")
        {
            if (!normalizer.TryGetProperty("normalizers", out var list) || list.ValueKind != JsonValueKind.Array)
                throw cx.Error("normalizer.normalizers", "is missing or not an array");
            steps.AddRange(list.EnumerateArray());
        }
        else
        {
            steps.Add(normalizer);
        }

        bool prepend = steps.Count == 2 && TypeOf(steps[0], "normalizer", cx) == "Prepend"
            && OptionalString(steps[0], "prepend", "normalizer.prepend", cx) == SpaceMarker;
        var last = steps[^1];
        bool replace = steps.Count == (prepend ? 2 : 1) && TypeOf(last, "normalizer", cx) == "Replace"
            && last.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("String", out var from) && from.ValueKind == JsonValueKind.String && from.GetString() == " "
            && OptionalString(last, "content", "normalizer.content", cx) == SpaceMarker;
        if (!replace)
            throw cx.Error("normalizer", $"{Brief(normalizer)} is not supported; expected Replace(\" \" → \"▁\"), optionally after Prepend(\"▁\")");
        return prepend;
    }

    private static void CheckPreTokenizer(JsonElement root, Context cx)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
            return;
        // transformers' GemmaConverter (4.4x) writes Split(" ", merged_with_previous): it runs after the normaliser has
        // turned every space into ▁, so it never splits anything.
        bool inertSplit = TypeOf(pre, "pre_tokenizer", cx) == "Split"
            && pre.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("String", out var text) && text.ValueKind == JsonValueKind.String && text.GetString() == " ";
        if (!inertSplit)
            throw cx.Error("pre_tokenizer", $"{Brief(pre)} is not supported; expected null or Split on \" \" (SentencePiece BPE does not pre-split)");
    }

    private static void CheckDecoder(JsonElement root, Context cx)
    {
        if (!root.TryGetProperty("decoder", out var decoder) || decoder.ValueKind == JsonValueKind.Null)
            return;
        var pending = new Stack<JsonElement>();
        pending.Push(decoder);
        while (pending.Count > 0)
        {
            var step = pending.Pop();
            string type = TypeOf(step, "decoder", cx);
            if (!SupportedDecoderSteps.Contains(type))
                throw cx.Error("decoder", $"step type '{type}' is not supported; a Gemma tokenizer decodes with Replace/ByteFallback/Fuse");
            if (type == "Sequence" && step.TryGetProperty("decoders", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var inner in list.EnumerateArray())
                    pending.Push(inner);
            }
        }
    }

    private static int RequiredSpecialId(Dictionary<string, int> pieceToId, string piece, Context cx) =>
        pieceToId.TryGetValue(piece, out int id)
            ? id
            : throw cx.Error("added_tokens", $"no '{piece}' entry in the vocabulary; PaliGemma needs it");

    /// <summary>SentencePiece names its byte pieces <c>&lt;0xNN&gt;</c> with upper-case hex digits.</summary>
    private static bool IsBytePiece(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
        && char.IsAsciiHexDigitUpper(piece[3]) && char.IsAsciiHexDigitUpper(piece[4]);

    private static void CheckPieceLength(string piece, string field, Context cx)
    {
        int bytes = Encoding.UTF8.GetByteCount(piece);
        if (bytes > cx.Limits.MaxPieceBytes)
            throw cx.Error(field, $"a piece of {bytes} UTF-8 bytes is longer than {cx.Limits.MaxPieceBytes} (TokenizerLimits.MaxPieceBytes)");
    }

    private static int ReadId(JsonElement value, string field, Context cx)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int id) || id < 0)
            throw cx.Error(field, $"expected a non-negative integer id, found {(value.ValueKind == JsonValueKind.Undefined ? "nothing" : Brief(value))}");
        if (id >= cx.Limits.MaxPieces)
            throw cx.Error(field, $"id {id} is beyond the limit of {cx.Limits.MaxPieces} pieces (TokenizerLimits.MaxPieces)");
        return id;
    }

    private static string TypeOf(JsonElement element, string field, Context cx)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw cx.Error(field, $"expected an object, found {element.ValueKind}");
        return OptionalString(element, "type", $"{field}.type", cx) ?? throw cx.Error($"{field}.type", "is missing");
    }

    private static string? OptionalString(JsonElement parent, string name, string field, Context cx)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw cx.Error(field, $"expected a string, found {value.ValueKind}");
    }

    private static bool OptionalBool(JsonElement parent, string name, string field, Context cx)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw cx.Error(field, $"expected true or false, found {value.ValueKind}"),
        };
    }

    /// <summary>The JSON of an unsupported element, cut short (a precompiled character map alone can be megabytes).</summary>
    private static string Brief(JsonElement element)
    {
        const int MaxShown = 200;
        string raw = element.GetRawText();
        return raw.Length <= MaxShown ? raw : raw[..MaxShown] + "…";
    }

    private static string Escape(string piece) => piece.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    private readonly record struct Context(string Source, TokenizerLimits Limits)
    {
        public TokenizerFormatException Error(string field, string problem) => new(Source, $"field '{field}': {problem}");
    }
}
