namespace PaliCuda.Config;

/// <summary>A model configuration file is malformed or describes a model we cannot run. The message names the file and the field.</summary>
public sealed class ConfigFormatException : PaliCudaInputException
{
    public string? FilePath { get; }
    /// <summary>JSON path of the offending field, e.g. <c>text_config.num_key_value_heads</c>.</summary>
    public string? Field { get; }

    public ConfigFormatException(string message, string? filePath = null, string? field = null, Exception? inner = null)
        : base(Compose(message, filePath, field), inner)
    {
        FilePath = filePath;
        Field = field;
    }

    private static string Compose(string message, string? filePath, string? field) => (filePath, field) switch
    {
        (not null, not null) => $"{message} ({filePath}, field '{field}')",
        (not null, null) => $"{message} ({filePath})",
        (null, not null) => $"{message} (field '{field}')",
        _ => message,
    };
}
