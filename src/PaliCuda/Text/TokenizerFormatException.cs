namespace PaliCuda.Text;

/// <summary>A tokenizer model file is malformed or uses a feature this engine does not support.</summary>
public sealed class TokenizerFormatException : PaliCudaInputException
{
    /// <summary>Creates the exception; <paramref name="source"/> names the file (or stream) that was being read.</summary>
    public TokenizerFormatException(string source, string problem, Exception? inner = null)
        : base($"tokenizer model cannot be used: {problem} ({source})", inner)
    {
        SourceName = source;
        Problem = problem;
    }

    /// <summary>The file (or stream description) that was being read.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
