namespace PaliCuda.Checkpoint;

/// <summary>Element types a safetensors file may declare (the format's own names in comments).</summary>
public enum TensorDType
{
    F64,  // "F64"
    F32,  // "F32"
    F16,  // "F16"
    BF16, // "BF16"
    F8E4M3, // "F8_E4M3"
    F8E5M2, // "F8_E5M2"
    I64,  // "I64"
    I32,  // "I32"
    I16,  // "I16"
    I8,   // "I8"
    U64,  // "U64"
    U32,  // "U32"
    U16,  // "U16"
    U8,   // "U8"
    Bool, // "BOOL"
}
