using System.Text;

namespace PaliCuda.Native.Common;

/// <summary>Turns a Pascal-case enum member back into the C constant it mirrors.</summary>
internal static class NativeNames
{
    /// <summary><c>("CUDA_", "ErrorNoDevice")</c> gives <c>CUDA_ERROR_NO_DEVICE</c>.</summary>
    public static string ToUpperSnake(string prefix, string pascalName)
    {
        var builder = new StringBuilder(prefix, prefix.Length + pascalName.Length * 2);
        for (var i = 0; i < pascalName.Length; i++)
        {
            var c = pascalName[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(pascalName[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }
}
