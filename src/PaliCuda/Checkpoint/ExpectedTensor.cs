namespace PaliCuda.Checkpoint;

/// <summary>A tensor a PaliGemma checkpoint must contain, under its canonical (HF 4.47) name, with its shape.</summary>
public sealed record ExpectedTensor(string Name, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
