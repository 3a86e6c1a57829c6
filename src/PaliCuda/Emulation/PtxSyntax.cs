namespace PaliCuda.Emulation;

// The parse tree of a PTX module: what the text says, before any decoding into executable form.

internal enum PtxOperandKind { Register, Immediate, Symbol, Address, Vector, Sink }

/// <summary>One operand as written. Register/Symbol use Name; Immediate uses Literal (with a leading
/// '-' when negated); Address uses Name (register or symbol, or null for an absolute address) and Offset;
/// Vector uses Elements. SecondName holds the predicate of a "d|p" destination.</summary>
internal sealed record PtxOperandSyntax(
    PtxOperandKind Kind,
    string? Name = null,
    string? Literal = null,
    long Offset = 0,
    IReadOnlyList<PtxOperandSyntax>? Elements = null,
    string? SecondName = null,
    bool Negated = false);

/// <summary>An instruction: optional guard predicate, dotted opcode, operands, and its source line.</summary>
internal sealed record PtxInstructionSyntax(
    string? GuardRegister,
    bool GuardNegated,
    string Opcode,
    IReadOnlyList<PtxOperandSyntax> Operands,
    int Line);

/// <summary>A variable declaration in .global/.const/.shared/.local/.param space.</summary>
internal sealed record PtxVariableSyntax(
    string Space,
    string Name,
    string ElementType,
    int Alignment,
    int ElementCount,
    bool IsUnsizedArray,
    byte[]? Initializer,
    int Line);

/// <summary>An .entry or .func with its parameters, body and label positions (index into Body).</summary>
internal sealed record PtxFunctionSyntax(
    string Name,
    bool IsEntry,
    IReadOnlyList<PtxVariableSyntax> Parameters,
    IReadOnlyList<PtxVariableSyntax> Locals,
    IReadOnlyList<PtxInstructionSyntax> Body,
    IReadOnlyDictionary<string, int> Labels,
    IReadOnlyDictionary<string, string> Registers,
    int MaxThreads,
    int Line)
{
    /// <summary>The return parameters of a .func (empty for an .entry).</summary>
    public IReadOnlyList<PtxVariableSyntax> ReturnParameters { get; init; } = Array.Empty<PtxVariableSyntax>();

    /// <summary>.maxntid (upper bound) or .reqntid (exact) block shape, when declared.</summary>
    public PtxBlockShapeSyntax? BlockShape { get; init; }
}

/// <summary>A kernel's .maxntid or .reqntid directive: up to three dimensions.</summary>
internal sealed record PtxBlockShapeSyntax(bool Required, long X, long Y, long Z);

internal sealed record PtxModuleSyntax(
    string Version,
    string Target,
    int AddressSize,
    IReadOnlyList<PtxVariableSyntax> Globals,
    IReadOnlyList<PtxFunctionSyntax> Functions);
