namespace PaliCuda.Graph;

/// <summary>How an attention op's keys and values are laid out.</summary>
public enum KvLayout
{
    /// <summary>[keys, kv_heads·head_dim], one row per key token (the vision tower: keys = all tokens).</summary>
    TokenMajor,
    /// <summary>[kv_heads, capacity, head_dim]: a preallocated KV cache indexed by cache position.</summary>
    HeadMajorCache,
}
