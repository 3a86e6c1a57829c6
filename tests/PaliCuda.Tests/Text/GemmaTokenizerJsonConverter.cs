using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PaliCuda.Text;

namespace PaliCuda.Tests.Text;

/// <summary>
/// Writes the <c>tokenizer.json</c> that Hugging Face transformers (4.4x, <c>GemmaConverter</c> in
/// convert_slow_tokenizer.py, serialised by the <c>tokenizers</c> library) produces from a Gemma-style
/// <c>tokenizer.model</c>. No real tokenizer.json ships with the fixtures, so the tests make one from the fixture
/// model this way and check that loading it gives the same tokenizer as loading the model.
/// </summary>
/// <remarks>
/// Which HF behaviour each field follows:
/// <list type="bullet">
/// <item><c>model.vocab</c>: <c>GemmaConverter.vocab</c>: ids are SentencePiece ids; ids 0..2 carry the slow tokenizer's
/// pad/eos/bos tokens; the byte piece <c>&lt;0x09&gt;</c> is written as a literal tab.</item>
/// <item><c>model.merges</c>: <c>generate_merges(vocab, vocab_scores)</c>: for every vocab entry (in id order) each
/// split into two pieces of the extractor's vocabulary (which also maps the tab to <c>&lt;0x09&gt;</c>'s id), the
/// splits of one piece sorted by (left id, right id); then all merges stably sorted by descending
/// (piece score, left length, right length), lengths in code points as Python counts them.</item>
/// <item><c>model</c> options: <c>BPE(unk_token=trainer_spec.unk_piece, fuse_unk=True, byte_fallback=True,
/// dropout=None)</c>, which <c>tokenizers</c> serialises with null affixes and <c>ignore_merges=false</c>. Merges are
/// "left right" strings (tokenizers &lt; 0.20) or [left, right] pairs (0.20 and later).</item>
/// <item><c>added_tokens</c>: control (type 3) and user-defined (type 4) pieces, <c>normalized=false</c>, special when
/// control or <c>&lt;start_of_turn&gt;</c>/<c>&lt;end_of_turn&gt;</c>; plus the unknown piece, which the fast tokenizer
/// registers as its special <c>unk_token</c>. Sorted by id.</item>
/// <item><c>normalizer</c> Replace(" " → "▁"); <c>pre_tokenizer</c> Split(" ", merged_with_previous) as 4.47 writes it,
/// or null as earlier versions do; <c>decoder</c> Sequence[Replace("▁" → " "), ByteFallback, Fuse];
/// <c>post_processor</c> a TemplateProcessing that adds &lt;bos&gt;.</item>
/// </list>
/// </remarks>
internal static class GemmaTokenizerJsonConverter
{
    public enum MergeFormat
    {
        /// <summary>"left right" strings, as tokenizers before 0.20 writes them.</summary>
        SpaceSeparated,

        /// <summary>[left, right] arrays, as tokenizers 0.20 and later writes them.</summary>
        Pairs,
    }

    private const string TabBytePiece = "<0x09>";
    private static readonly HashSet<string> TurnMarkers = new(StringComparer.Ordinal) { "<start_of_turn>", "<end_of_turn>" };

    public static byte[] Convert(byte[] modelBytes, MergeFormat format = MergeFormat.Pairs, bool splitPreTokenizer = true)
    {
        var sp = SentencePieceModelReader.Read(modelBytes, "converter input");
        if (sp.PadId != 0 || sp.EosId != 1 || sp.BosId != 2)
            throw new InvalidOperationException("GemmaConverter writes pad/eos/bos at ids 0/1/2; this model has them elsewhere.");

        // GemmaConverter.vocab: (piece, score) in id order, with the tab byte piece renamed.
        var vocabScores = new List<(string Piece, float Score)>();
        for (int id = 0; id < sp.Pieces.Count; id++)
        {
            float score = id < 3 ? 0f : sp.Scores[id];
            vocabScores.Add((sp.Pieces[id] == TabBytePiece ? "\t" : sp.Pieces[id], score));
        }

        // GemmaSentencePieceExtractor: the SentencePiece vocabulary, plus the tab aliasing <0x09>.
        var extractorVocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < sp.Pieces.Count; id++)
            extractorVocab[sp.Pieces[id]] = id;
        if (!extractorVocab.ContainsKey("\t") && extractorVocab.TryGetValue(TabBytePiece, out int tabId))
            extractorVocab["\t"] = tabId;

        var merges = GenerateMerges(extractorVocab, vocabScores);

        var added = new List<(int Id, string Content, bool Special)>();
        for (int id = 0; id < sp.Pieces.Count; id++)
        {
            var type = sp.Types[id];
            if (type is SentencePiecePieceType.Control or SentencePiecePieceType.UserDefined)
                added.Add((id, sp.Pieces[id], type == SentencePiecePieceType.Control || TurnMarkers.Contains(sp.Pieces[id])));
            else if (id == sp.UnkId)
                added.Add((id, sp.Pieces[id], true));
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            foreach (var (id, content, special) in added)
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("content", content);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", false);
                w.WriteBoolean("special", special);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("normalizer");
            WriteReplace(w, " ", "\u2581");
            if (splitPreTokenizer)
            {
                w.WriteStartObject("pre_tokenizer");
                w.WriteString("type", "Split");
                w.WriteStartObject("pattern");
                w.WriteString("String", " ");
                w.WriteEndObject();
                w.WriteString("behavior", "MergedWithPrevious");
                w.WriteBoolean("invert", false);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("pre_tokenizer");
            }

            WritePostProcessor(w, sp.Pieces[sp.BosId], sp.BosId);
            w.WriteStartObject("decoder");
            w.WriteString("type", "Sequence");
            w.WriteStartArray("decoders");
            WriteReplace(w, "\u2581", " ");
            w.WriteStartObject();
            w.WriteString("type", "ByteFallback");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "Fuse");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteString("unk_token", sp.Pieces[sp.UnkId]);
            w.WriteNull("continuing_subword_prefix");
            w.WriteNull("end_of_word_suffix");
            w.WriteBoolean("fuse_unk", true);
            w.WriteBoolean("byte_fallback", true);
            w.WriteBoolean("ignore_merges", false);
            w.WriteStartObject("vocab");
            // bpe_vocab = {word: i for i, (word, score) in enumerate(vocab_scores)}
            for (int id = 0; id < vocabScores.Count; id++)
                w.WriteNumber(vocabScores[id].Piece, id);
            w.WriteEndObject();
            w.WriteStartArray("merges");
            foreach (var (left, right) in merges)
            {
                if (format == MergeFormat.SpaceSeparated)
                {
                    w.WriteStringValue($"{left} {right}");
                }
                else
                {
                    w.WriteStartArray();
                    w.WriteStringValue(left);
                    w.WriteStringValue(right);
                    w.WriteEndArray();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>transformers' generate_merges with vocab scores (the "reverse" ordering).</summary>
    private static List<(string Left, string Right)> GenerateMerges(Dictionary<string, int> vocab, List<(string Piece, float Score)> vocabScores)
    {
        // dict(vocab_scores): first occurrence fixes the position, the last one the score.
        var order = new List<string>();
        var scoreOf = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var (piece, score) in vocabScores)
        {
            if (!scoreOf.ContainsKey(piece))
                order.Add(piece);
            scoreOf[piece] = score;
        }

        var merges = new List<(string Left, string Right, float Score)>();
        foreach (string merge in order)
        {
            var local = new List<(string Left, string Right, float Score)>();
            foreach (int cut in CodePointBoundaries(merge))
            {
                string left = merge[..cut], right = merge[cut..];
                if (vocab.ContainsKey(left) && vocab.ContainsKey(right))
                    local.Add((left, right, scoreOf[merge]));
            }

            merges.AddRange(local.OrderBy(m => vocab[m.Left]).ThenBy(m => vocab[m.Right]));
        }

        return merges
            .OrderByDescending(m => m.Score)
            .ThenByDescending(m => CodePointCount(m.Left))
            .ThenByDescending(m => CodePointCount(m.Right))
            .Select(m => (m.Left, m.Right))
            .ToList();
    }

    /// <summary>UTF-16 offsets of the inner code point boundaries (Python slices strings by code point).</summary>
    private static IEnumerable<int> CodePointBoundaries(string text)
    {
        int offset = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (offset > 0)
                yield return offset;
            offset += rune.Utf16SequenceLength;
        }
    }

    private static int CodePointCount(string text) => text.EnumerateRunes().Count();

    private static void WriteReplace(Utf8JsonWriter w, string from, string to)
    {
        w.WriteStartObject();
        w.WriteString("type", "Replace");
        w.WriteStartObject("pattern");
        w.WriteString("String", from);
        w.WriteEndObject();
        w.WriteString("content", to);
        w.WriteEndObject();
    }

    private static void WritePostProcessor(Utf8JsonWriter w, string bos, int bosId)
    {
        w.WriteStartObject("post_processor");
        w.WriteString("type", "TemplateProcessing");
        foreach (string name in new[] { "single", "pair" })
        {
            w.WriteStartArray(name);
            foreach (string sequence in name == "single" ? new[] { "A" } : new[] { "A", "B" })
            {
                w.WriteStartObject();
                w.WriteStartObject("SpecialToken");
                w.WriteString("id", bos);
                w.WriteNumber("type_id", 0);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteStartObject("Sequence");
                w.WriteString("id", sequence);
                w.WriteNumber("type_id", sequence == "A" ? 0 : 1);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("special_tokens");
        w.WriteStartObject(bos);
        w.WriteString("id", bos);
        w.WriteStartArray("ids");
        w.WriteNumberValue(bosId);
        w.WriteEndArray();
        w.WriteStartArray("tokens");
        w.WriteStringValue(bos);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
