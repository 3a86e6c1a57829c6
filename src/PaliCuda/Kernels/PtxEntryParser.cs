using System.Globalization;
using System.Text;

namespace PaliCuda.Kernels;

/// <summary>
/// Reads the kernel entry points (<c>.entry</c> directives) and their parameter declarations out
/// of PTX text. It understands only what a launch needs, so the launcher table can be checked
/// against what nvcc actually emitted; kernel bodies are skipped.
/// </summary>
public static class PtxEntryParser
{
    private readonly record struct Token(string Text, int Line);

    /// <summary>Every <c>.entry</c> in <paramref name="ptx"/>, in file order.</summary>
    /// <param name="ptx">PTX source text.</param>
    /// <param name="ptxSource">Name used in error messages (module stem or file name).</param>
    /// <exception cref="PtxParseException">An entry declaration is malformed.</exception>
    public static IReadOnlyList<PtxEntry> Parse(string ptx, string ptxSource = "<ptx>")
    {
        ArgumentNullException.ThrowIfNull(ptx);
        var tokens = Tokenize(StripComments(ptx));
        var entries = new List<PtxEntry>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Text != ".entry")
            {
                continue;
            }

            var visible = i > 0 && tokens[i - 1].Text == ".visible";
            var entryLine = tokens[i].Line;
            i++;
            if (i >= tokens.Count || !IsIdentifier(tokens[i].Text))
            {
                throw new PtxParseException(ptxSource, entryLine, ".entry is not followed by a kernel name.");
            }

            var name = tokens[i].Text;
            var parameters = new List<PtxParam>();
            if (i + 1 < tokens.Count && tokens[i + 1].Text == "(")
            {
                i = ParseParameterList(tokens, i + 2, name, ptxSource, parameters);
            }

            entries.Add(new PtxEntry(name, parameters, visible));
        }

        return entries;
    }

    // Returns the index of the closing parenthesis.
    private static int ParseParameterList(List<Token> tokens, int start, string entry, string ptxSource, List<PtxParam> parameters)
    {
        var declaration = new List<Token>();
        for (var i = start; i < tokens.Count; i++)
        {
            var text = tokens[i].Text;
            if (text is "," or ")")
            {
                // "()" declares no parameters; an empty slot anywhere else (", ,", ", )") is an error.
                if (declaration.Count > 0 || text == "," || parameters.Count > 0)
                {
                    parameters.Add(ParseParameter(declaration, entry, ptxSource, tokens[i].Line));
                }

                declaration.Clear();
                if (text == ")")
                {
                    return i;
                }
            }
            else if (text is "{" or ";" or ".entry")
            {
                break;
            }
            else
            {
                declaration.Add(tokens[i]);
            }
        }

        var line = start < tokens.Count ? tokens[start].Line : tokens[^1].Line;
        throw new PtxParseException(ptxSource, line, $"parameter list of entry '{entry}' is not closed by ')'.");
    }

    private static PtxParam ParseParameter(List<Token> declaration, string entry, string ptxSource, int fallbackLine)
    {
        var line = declaration.Count > 0 ? declaration[0].Line : fallbackLine;
        PtxParseException Fail(string what) =>
            new(ptxSource, line, $"parameter {string.Join(' ', declaration.Select(t => t.Text))} of entry '{entry}': {what}");

        if (declaration.Count == 0 || declaration[0].Text != ".param")
        {
            throw Fail("expected a '.param' declaration.");
        }

        string? type = null;
        string? name = null;
        var align = 0;
        var arrayLength = 0;
        var afterPtr = false;
        for (var i = 1; i < declaration.Count; i++)
        {
            var text = declaration[i].Text;
            if (name is not null)
            {
                // Only an array suffix may follow the name: [N].
                if (text == "[" && i + 2 < declaration.Count && declaration[i + 2].Text == "]"
                    && int.TryParse(declaration[i + 1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out arrayLength)
                    && arrayLength > 0 && i + 3 == declaration.Count)
                {
                    break;
                }

                throw Fail($"unexpected '{text}' after the parameter name.");
            }

            if (text == ".align")
            {
                if (i + 1 >= declaration.Count
                    || !int.TryParse(declaration[i + 1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                    || value <= 0)
                {
                    throw Fail(".align is not followed by a positive number.");
                }

                // An alignment after .ptr describes the pointee, not the parameter.
                if (!afterPtr)
                {
                    align = value;
                }

                i++;
            }
            else if (text == ".ptr")
            {
                afterPtr = true;
            }
            else if (afterPtr && text is ".global" or ".const" or ".local" or ".shared")
            {
                // State space of the pointee: irrelevant to how the argument is passed.
            }
            else if (text.StartsWith('.') && type is null && PtxParam.IsFundamentalType(text[1..]))
            {
                type = text[1..];
            }
            else if (IsIdentifier(text) && type is not null)
            {
                name = text;
            }
            else
            {
                throw Fail($"unexpected '{text}'.");
            }
        }

        if (type is null)
        {
            throw Fail("no PTX type.");
        }

        if (name is null)
        {
            throw Fail("no parameter name.");
        }

        return new PtxParam(type, align, arrayLength);
    }

    private static bool IsIdentifier(string text) =>
        text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] is '_' or '$' or '%')
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '%');

    // Comments become spaces, newlines are kept, so token line numbers stay true.
    private static string StripComments(string ptx)
    {
        var result = new StringBuilder(ptx.Length);
        for (var i = 0; i < ptx.Length; i++)
        {
            if (ptx[i] == '/' && i + 1 < ptx.Length && ptx[i + 1] == '/')
            {
                while (i < ptx.Length && ptx[i] != '\n')
                {
                    i++;
                }

                if (i < ptx.Length)
                {
                    result.Append('\n');
                }
            }
            else if (ptx[i] == '/' && i + 1 < ptx.Length && ptx[i + 1] == '*')
            {
                i += 2;
                while (i < ptx.Length && !(ptx[i] == '*' && i + 1 < ptx.Length && ptx[i + 1] == '/'))
                {
                    result.Append(ptx[i] == '\n' ? '\n' : ' ');
                    i++;
                }

                i++;
            }
            else
            {
                result.Append(ptx[i]);
            }
        }

        return result.ToString();
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',' or '[' or ']' or '{' or '}' or ';')
            {
                tokens.Add(new Token(c.ToString(), line));
                i++;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '[' or ']' or '{' or '}' or ';'))
                {
                    i++;
                }

                tokens.Add(new Token(text[start..i], line));
            }
        }

        return tokens;
    }
}
