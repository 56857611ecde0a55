namespace EditorAssist.Core.Catalog;

public enum FitVerdict { FullGpu, PartialGpu, CpuOnly, TooLarge }

/// <param name="GpuLayers">Layers to offload (all of them for fullGpu, 0 for cpuOnly/tooLarge).</param>
/// <param name="EstimatedBytes">Weights + KV cache at the default context (and the completion context, for FIM models) + runtime overhead.</param>
public sealed record FitResult(FitVerdict Verdict, int GpuLayers, long EstimatedBytes);

/// <summary>
/// Whether a model fits this machine, before anyone downloads it. Pure: the caller passes the free
/// memory (from system/info). The estimate is deliberately simple and slightly pessimistic:
/// weights (the file size: GGUF tensors are stored as they are loaded) + f16 KV cache at the
/// default context + a fixed overhead for compute buffers and the runtime. A layer's share is the
/// weights and KV divided evenly over the layers.
/// </summary>
public static class HardwareFit
{
    /// <summary>Compute buffers, CUDA/Vulkan context, scratch: a flat allowance.</summary>
    public const long OverheadBytes = 512L * 1024 * 1024;
    /// <summary>Never plan to use more than this share of free memory: drivers, the desktop and other apps move.</summary>
    public const double Headroom = 0.9;

    public static long EstimateBytes(long weightsBytes, ModelArchitecture arch, int context) =>
        weightsBytes + arch.KvBytesPerToken * context + OverheadBytes;

    public static FitResult Evaluate(long weightsBytes, ModelArchitecture arch, int context, long vramFreeBytes, long ramFreeBytes)
    {
        var kv = arch.KvBytesPerToken * context;
        var total = weightsBytes + kv + OverheadBytes;
        var gpuBudget = (long)(vramFreeBytes * Headroom);
        var ramBudget = (long)(ramFreeBytes * Headroom);

        if (vramFreeBytes > 0 && total <= gpuBudget) return new FitResult(FitVerdict.FullGpu, arch.Layers, total);

        if (vramFreeBytes > 0 && arch.Layers > 0)
        {
            var perLayer = (weightsBytes + kv) / arch.Layers;
            var layers = perLayer <= 0 ? 0 : (int)Math.Clamp((gpuBudget - OverheadBytes) / perLayer, 0, arch.Layers - 1);
            if (layers >= 1)
            {
                var onHost = total - layers * perLayer;
                return onHost <= ramBudget
                    ? new FitResult(FitVerdict.PartialGpu, layers, total)
                    : new FitResult(FitVerdict.TooLarge, 0, total);
            }
        }
        return total <= ramBudget ? new FitResult(FitVerdict.CpuOnly, 0, total) : new FitResult(FitVerdict.TooLarge, 0, total);
    }

    /// <summary>
    /// The most tokens of the second context a code-completion model gets (the runtime's
    /// <c>LocalModel.MaxCompletionContext</c>): inline completion runs in its own KV cache so chat
    /// does not evict it.
    /// </summary>
    public const int CompletionLaneTokens = 4096;

    /// <summary>
    /// The tokens of KV cache a catalog entry needs: its default context, plus the completion
    /// context for a model that does fill-in-the-middle (it will be used for inline completion).
    /// </summary>
    public static int KvTokens(CatalogEntry entry)
    {
        var chat = Math.Min(entry.DefaultContext, entry.ContextLength);
        return entry.Roles.Contains("fim") ? chat + Math.Min(CompletionLaneTokens, entry.ContextLength) : chat;
    }

    /// <summary>Uses the GPU with the most free VRAM (one device per model, as the runtime loads it).</summary>
    public static FitResult Evaluate(CatalogEntry entry, IEnumerable<long> gpuFreeBytes, long ramFreeBytes) =>
        Evaluate(entry.SizeBytes, entry.Architecture, KvTokens(entry), gpuFreeBytes.DefaultIfEmpty(0).Max(), ramFreeBytes);
}
