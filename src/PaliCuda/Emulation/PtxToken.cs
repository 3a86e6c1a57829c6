namespace PaliCuda.Emulation;

internal enum PtxTokenKind { Identifier, Number, String, Punct, End }

/// <summary>One lexical token of PTX text with the line it came from.</summary>
internal readonly record struct PtxToken(PtxTokenKind Kind, string Text, int Line)
{
    public bool Is(string punctOrWord) => Text == punctOrWord && Kind != PtxTokenKind.String;
}
