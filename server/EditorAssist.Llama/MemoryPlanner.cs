using EditorAssist.Core.Local;

namespace EditorAssist.Llama;

/// <summary>The outcome of planning a load: how many layers go to the GPU and what it should cost.</summary>
public sealed record MemoryPlan(
    int GpuLayers,
    int TotalLayers,
    int ContextLength,
    long WeightBytes,
    long KvCacheBytes,
    long ComputeBytes,
    long GpuBytes,
    long CpuBytes)
{
    public bool FullyOffloaded => GpuLayers > TotalLayers;
}

/// <summary>
/// Decides GPU offload from the model's size, the context's KV cache and free memory, before
/// anything is allocated, so "does not fit" is a clear error instead of a native allocation
/// failure (or the OOM killer) halfway through a load. Estimates are deliberately simple and
/// a little pessimistic; they are checked against real loads in LocalModelTests.
/// </summary>
public static class MemoryPlanner
{
    private const long FixedOverhead = 64L << 20;

    /// <param name="gpuFreeBytes">Free memory of the chosen GPU device, or null when running on CPU.</param>
    /// <param name="cpuFreeBytes">Available system memory.</param>
    public static MemoryPlan Plan(GgufFile file, LocalModelOptions options, long? gpuFreeBytes, long cpuFreeBytes)
    {
        int layers = Math.Max(file.BlockCount, 1);
        int trained = file.ContextLength > 0 ? file.ContextLength : 4096;
        int ctx = options.ContextLength ?? Math.Min(trained, 4096);
        if (ctx <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ContextLength must be positive.");
        }
        long weights = file.TensorBytes;
        long layerWeights = file.LayerTensorBytes > 0 ? file.LayerTensorBytes : weights;
        long outputWeights = Math.Max(0, weights - layerWeights);
        // K and V, F16, per layer: n_ctx * n_head_kv * head_dim elements each.
        long kvPerLayer = 2L * ctx * Math.Max(1, file.HeadCountKv) * Math.Max(1, file.HeadDimension) * 2;
        long kv = kvPerLayer * layers;
        // Compute buffers: the logits of one batch plus attention scores of one batch over the
        // context (upper bound without flash attention), plus a fixed allowance.
        long batch = Math.Min(options.BatchSize, ctx);
        long compute = FixedOverhead + batch * Math.Max(file.VocabSize, 1) * 4 + batch * ctx * Math.Max(1, file.HeadCount) * 4L;

        if (options.MemoryBudgetBytes is long budget)
        {
            cpuFreeBytes = Math.Min(cpuFreeBytes, budget);
            gpuFreeBytes = gpuFreeBytes is long g ? Math.Min(g, budget) : null;
        }

        int gpuLayers;
        if (gpuFreeBytes is not long gpuFree || options.GpuLayers == 0)
        {
            gpuLayers = 0;
        }
        else
        {
            // Keep a margin for the driver and other processes.
            long usable = (long)(gpuFree * 0.9) - FixedOverhead;
            long perLayer = layerWeights / layers + kvPerLayer;
            if (options.GpuLayers is int requested)
            {
                gpuLayers = requested < 0 || requested > layers ? layers + 1 : requested;
            }
            else if (weights + kv + compute <= usable)
            {
                gpuLayers = layers + 1; // all repeating layers plus the output layer
            }
            else
            {
                gpuLayers = (int)Math.Clamp((usable - compute) / Math.Max(perLayer, 1), 0, layers);
            }
            long need = GpuCost(gpuLayers, layers, perLayer, outputWeights, compute);
            if (gpuLayers > 0 && need > usable)
            {
                throw new InsufficientModelMemoryException(
                    $"{gpuLayers} GPU layers need about {need >> 20} MiB of device memory; {Math.Max(usable, 0) >> 20} MiB are free.",
                    need, Math.Max(usable, 0));
            }
        }

        long gpuBytes = gpuLayers == 0 ? 0 : GpuCost(gpuLayers, layers, layerWeights / layers + kvPerLayer, outputWeights, compute);
        int cpuLayers = layers - Math.Min(gpuLayers, layers);
        long cpuBytes = layerWeights / layers * cpuLayers + kvPerLayer * cpuLayers +
                        (gpuLayers > layers ? 0 : outputWeights) + compute;
        if (cpuBytes > cpuFreeBytes)
        {
            throw new InsufficientModelMemoryException(
                $"The model needs about {cpuBytes >> 20} MiB of system memory ({weights >> 20} MiB weights, {kv >> 20} MiB KV cache for {ctx} tokens); {cpuFreeBytes >> 20} MiB are available.",
                cpuBytes, cpuFreeBytes);
        }
        return new MemoryPlan(gpuLayers, layers, ctx, weights, kv, compute, gpuBytes, cpuBytes);
    }

    private static long GpuCost(int gpuLayers, int layers, long perLayer, long outputWeights, long compute) =>
        perLayer * Math.Min(gpuLayers, layers) + (gpuLayers > layers ? outputWeights : 0) + compute;
}
