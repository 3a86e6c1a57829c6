namespace PaliCuda.Graph;

/// <summary>
/// The per-row controls a <see cref="Ops.SampleOp"/> reads from device memory at run time (F32 [rows, 4]): the uniform
/// u in [0, 1), temperature T, top-k and top-p. Being data rather than attributes of the recorded graph, they let one
/// recorded (and captured) graph sample with any parameters: u changes every step, T/k/p every generation.
/// Top-k is stored as a float: every integer up to 2^24 is exact in fp32, and <see cref="Write"/> stores min(k, 2^24),
/// which keeps every candidate exactly as k does (no vocabulary exceeds <see cref="TokenSampler.MaxVocabulary"/> = 2^23).
/// </summary>
public static class SampleControls
{
    /// <summary>Floats per row.</summary>
    public const int Width = 4;
    public const int UniformIndex = 0;
    public const int TemperatureIndex = 1;
    public const int TopKIndex = 2;
    public const int TopPIndex = 3;

    /// <summary>Largest top-k stored as itself: integers up to 2^24 are exact in fp32; larger ones are stored as 2^24.</summary>
    public const int MaxExactTopK = 1 << 24;

    /// <summary>One row of controls for <paramref name="parameters"/> (validated first) and <paramref name="uniform"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unusable parameters (<see cref="SampleParameters.Problem"/>).</exception>
    public static float[] Of(SampleParameters parameters, float uniform)
    {
        var row = new float[Width];
        Write(row, parameters, uniform);
        return row;
    }

    /// <summary>Writes one row of controls into <paramref name="row"/> (length ≥ <see cref="Width"/>), validating first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unusable parameters (<see cref="SampleParameters.Problem"/>).</exception>
    public static void Write(Span<float> row, SampleParameters parameters, float uniform)
    {
        parameters.Validate();
        if (row.Length < Width) throw new ArgumentException($"a row of sampling controls needs {Width} floats, got {row.Length}", nameof(row));
        row[UniformIndex] = uniform;
        row[TemperatureIndex] = parameters.Temperature;
        row[TopKIndex] = Math.Min(parameters.TopK, MaxExactTopK);
        row[TopPIndex] = parameters.TopP;
    }

    /// <summary>
    /// The parameters and u stored in one row (the CPU backend's reading of the controls tensor). The device kernel never
    /// refuses a row; this reader does, so a bad row fails loudly on the reference backend.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// Top-k is not a whole number in 0..2^24, or the parameters are unusable (<see cref="SampleParameters.Problem"/>).
    /// </exception>
    public static (SampleParameters Parameters, float Uniform) Read(ReadOnlySpan<float> row)
    {
        if (row.Length < Width) throw new ArgumentException($"a row of sampling controls needs {Width} floats, got {row.Length}", nameof(row));
        var k = row[TopKIndex];
        if (!(k >= 0 && k <= MaxExactTopK && k == MathF.Floor(k)))
            throw new ArgumentOutOfRangeException(nameof(row), k, $"top-k control {k} must be a whole number in 0..{MaxExactTopK}");
        var parameters = new SampleParameters(row[TemperatureIndex], (int)k, row[TopPIndex]);
        parameters.Validate();
        return (parameters, row[UniformIndex]);
    }
}
