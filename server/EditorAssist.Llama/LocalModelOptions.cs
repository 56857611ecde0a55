namespace EditorAssist.Llama;

/// <summary>Options for loading a model and creating its context.</summary>
public sealed record LocalModelOptions
{
    /// <summary>Layers to offload to the GPU: null = automatic from free device memory; 0 = CPU only; -1 = all.</summary>
    public int? GpuLayers { get; init; }

    /// <summary>Context length in tokens; null = min(trained context, 4096).</summary>
    public int? ContextLength { get; init; }

    /// <summary>Logical and physical batch size for prompt evaluation.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>CPU threads for generation and batch evaluation; null = all logical cores.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// An upper bound on the memory the model may use (system RAM side, and device side when
    /// offloading), below what the machine reports free. For users who want headroom and for tests.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }
}
