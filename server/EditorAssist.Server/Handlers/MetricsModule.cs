using EditorAssist.Core.Metrics;
using EditorAssist.Llama;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>metrics/get</c>: per-model request figures from the <see cref="MetricsRecorder"/> (fed by the
/// chat router), plus what the local runtime knows of memory — the process's resident set, and for
/// each loaded local model its weights, KV cache, GPU layers and estimated device bytes, and the
/// devices' own total/free memory. Never starts the local runtime just to answer.
/// </summary>
internal sealed class MetricsModule(MetricsRecorder recorder, LocalRuntimeHost local) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.MetricsGet];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        // A load shows up as "ready" on a new model instance; the time is the model's own.
        local.StateChanged += (modelRef, state, _) =>
        {
            if (state == LocalModelState.Ready && local.StartedModels?.Get(modelRef) is { } m)
                recorder.RecordLoad(modelRef, Math.Round(m.LoadTime.TotalMilliseconds, 1));
        };

        var json = ModelSettingsProtocolJson.Default;
        connection.AddRequestHandler(Protocol.Methods.MetricsGet, () => json.MetricsGetParams, () => json.MetricsResultDto, (p, _, _) =>
            ValueTask.FromResult(Read(p.Ref)));
    }

    private MetricsResultDto Read(string? onlyRef)
    {
        var models = local.StartedModels;
        var figures = recorder.Snapshot().ToDictionary(f => f.Ref, StringComparer.Ordinal);
        var refs = new SortedSet<string>(figures.Keys, StringComparer.Ordinal);
        if (models is not null) refs.UnionWith(models.LoadedKeys);
        if (onlyRef is { Length: > 0 }) refs.IntersectWith([onlyRef]);

        var list = refs.Select(r =>
        {
            var f = figures.GetValueOrDefault(r);
            var loaded = models?.Get(r);
            return new ModelMetricsDto
            {
                Ref = r,
                Requests = f?.Requests ?? 0,
                Errors = f?.Errors ?? 0,
                TtftMsP50 = f?.TtftMsP50,
                TtftMsP95 = f?.TtftMsP95,
                DecodeTokensPerSecondP50 = f?.DecodeTokensPerSecondP50,
                PromptTokensPerSecondP50 = f?.PromptTokensPerSecondP50 is double ps ? Math.Round(ps, 1) : null,
                RecentTokensPerSecond = f?.RecentTokensPerSecond ?? [],
                LastLoadMs = f?.LastLoadMs ?? (loaded is null ? null : Math.Round(loaded.LoadTime.TotalMilliseconds, 1)),
                Completion = f is { } c && c.CompletionRequests + c.CompletionCancelled > 0
                    ? new CompletionMetricsDto(c.CompletionRequests, c.CompletionErrors, c.CompletionCancelled, c.CompletionCacheHits, c.CompletionMsP50, c.CompletionMsP95)
                    : null,
                Loaded = loaded is null ? null : new LoadedModelDto(loaded.Backend, loaded.ContextLength, loaded.GpuLayers, loaded.Plan.TotalLayers,
                    loaded.Plan.WeightBytes, loaded.Plan.KvCacheBytes, loaded.Plan.GpuBytes),
            };
        }).ToList();

        return new MetricsResultDto
        {
            Since = recorder.Since,
            Enabled = recorder.Enabled,
            Process = new ProcessMemoryDto(Environment.WorkingSet),
            // Device memory only once the runtime runs (enumerating devices is what starts it).
            Gpus = models is null ? null : local.GetGpus().Select(g => new GpuMemoryDto(g.Name, g.VramTotalBytes, g.VramFreeBytes)).ToList(),
            Models = list,
        };
    }
}
