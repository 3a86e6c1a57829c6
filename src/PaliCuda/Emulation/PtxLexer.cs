namespace PaliCuda.Emulation;

/// <summary>Splits PTX text into tokens. Identifiers include the PTX characters % $ . so that
/// opcodes (ld.global.f32), registers (%r1) and special registers (%tid.x) arrive whole.</summary>
internal static class PtxLexer
{
    public static List<PtxToken> Tokenize(string text, Func<int, string, Exception> error)
    {
        var tokens = new List<PtxToken>();
        int i = 0, line = 1;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw error(line, "unterminated block comment");
                for (int k = i; k < end; k++) if (text[k] == '\n') line++;
                i = end + 2;
                continue;
            }
            int start = i;
            if (c == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"' && text[i] != '\n') i++;
                if (i >= text.Length || text[i] != '"') throw error(line, "unterminated string");
                i++;
                tokens.Add(new PtxToken(PtxTokenKind.String, text[(start + 1)..(i - 1)], line));
                continue;
            }
            if (char.IsDigit(c))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.')) i++;
                tokens.Add(new PtxToken(PtxTokenKind.Number, text[start..i], line));
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c == '$' || c == '%' || c == '.')
            {
                i++;
                while (i < text.Length)
                {
                    if (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$' or '.' or '%') { i++; continue; }
                    // State-space and cache qualifiers such as .shared::cta or .L2::128B belong to the opcode;
                    // a label's single ':' does not.
                    if (text[i] == ':' && i + 2 < text.Length && text[i + 1] == ':' && char.IsLetterOrDigit(text[i + 2])) { i += 2; continue; }
                    break;
                }
                tokens.Add(new PtxToken(PtxTokenKind.Identifier, text[start..i], line));
                continue;
            }
            if ("{}[](),;:+-<>@!|=".IndexOf(c) >= 0)
            {
                i++;
                tokens.Add(new PtxToken(PtxTokenKind.Punct, c.ToString(), line));
                continue;
            }
            throw error(line, $"unexpected character '{c}'");
        }
        tokens.Add(new PtxToken(PtxTokenKind.End, "", line));
        return tokens;
    }
}
