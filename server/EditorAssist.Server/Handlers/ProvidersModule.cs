using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>providers/list|setApiKey|configure|check</c>, <c>models/list</c>, <c>router/get|set</c>. Keys stay in
/// <see cref="ApiKeyStore"/> (memory); configuration, the model cache and the router policy persist in SQLite.
/// </summary>
internal sealed class ProvidersModule(SessionScope scope, ILogger<ProvidersModule> logger) : IRpcModule
{
    // Session services: the registry (presets, SDK types) is built on the first provider call, not at process start.
    private ProviderRegistry Registry => scope.Get<ProviderRegistry>();
    private ModelDiscovery Discovery => scope.Get<ModelDiscovery>();
    private ModelSettingsStore ModelSettings => scope.Get<ModelSettingsStore>();

    private readonly Dictionary<string, ProviderStatus> _lastCheck = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IEnumerable<string> Methods =>
    [
        Protocol.Methods.ProvidersList, Protocol.Methods.ProvidersSetApiKey, Protocol.Methods.ProvidersConfigure,
        Protocol.Methods.ProvidersCheck, Protocol.Methods.ModelsList, Protocol.Methods.RouterGet, Protocol.Methods.RouterSet,
        Protocol.Methods.ProvidersPullModel, Protocol.Methods.ProvidersDeleteModel,
    ];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = ProvidersProtocolJson.Default;

        connection.AddRequestHandler(Protocol.Methods.ProvidersList, () => json.ProvidersListParams, () => json.ListProviderDto, async (p, _, ct) =>
        {
            var tasks = Registry.Providers.Select(async provider =>
            {
                var context = Registry.ContextFor(provider.Descriptor.Id);
                ProviderStatus? status = null;
                if (provider.Descriptor.RequiresApiKey && context.ApiKey is null)
                    status = new ProviderStatus(Availability.No, ProviderErrors.Missing(provider.Descriptor).Message);
                // The editor's models are asked in memory (no network): always current, like local ones.
                else if (p.Check || context.Privacy != PrivacyClass.Cloud || provider.Descriptor.Api == ProviderApi.Host)
                    status = await CheckAsync(provider, context, ct).ConfigureAwait(false);
                else
                    lock (_lock) status = _lastCheck.GetValueOrDefault(provider.Descriptor.Id);
                return ToDto(provider, context, status ?? new ProviderStatus(Availability.Unknown));
            });
            return (await Task.WhenAll(tasks).ConfigureAwait(false)).ToList();
        });

        connection.AddRequestHandler(Protocol.Methods.ProvidersSetApiKey, () => json.SetApiKeyParams, () => json.EmptyResult, (p, _, _) =>
        {
            var provider = Registry.Get(p.ProviderId);
            Registry.Keys.Set(p.ProviderId, p.ApiKey);
            lock (_lock) _lastCheck.Remove(p.ProviderId);
            // Never the key itself, not even its length.
            logger.LogInformation("API key for {Provider} {Action}.", provider.Descriptor.Id, string.IsNullOrWhiteSpace(p.ApiKey) ? "removed" : "set (memory only)");
            connection.Notify(Protocol.Methods.ProvidersDidChange, new ProviderChangedDto(p.ProviderId), json.ProviderChangedDto);
            return ValueTask.FromResult(new EmptyResult());
        });

        connection.AddRequestHandler(Protocol.Methods.ProvidersConfigure, () => json.ConfigureProviderParams, () => json.ProviderDto, (p, _, _) =>
        {
            ProviderContext context;
            try
            {
                context = Registry.Configure(p.ProviderId, p.BaseUrl, p.Options is null ? null : ProviderWire.Options(p.Options));
            }
            catch (ArgumentException ex)
            {
                throw new RpcException(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.ProvidersConfigure}': {Redactor.Redact(ex.Message)}");
            }
            lock (_lock) _lastCheck.Remove(p.ProviderId);
            connection.Notify(Protocol.Methods.ProvidersDidChange, new ProviderChangedDto(p.ProviderId), json.ProviderChangedDto);
            return ValueTask.FromResult(ToDto(Registry.Get(p.ProviderId), context, new ProviderStatus(Availability.Unknown)));
        });

        connection.AddRequestHandler(Protocol.Methods.ProvidersCheck, () => json.ProviderIdParams, () => json.CheckResultDto, async (p, _, ct) =>
        {
            var provider = Registry.Get(p.ProviderId);
            var status = await CheckAsync(provider, Registry.ContextFor(p.ProviderId), ct).ConfigureAwait(false);
            return new CheckResultDto(ProviderWire.Availability(status.Availability), status.Reason, status.LatencyMs);
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsList, () => json.ModelsListParams, () => json.ModelsListResult, async (p, _, ct) =>
        {
            IReadOnlyList<ProviderModels> lists = p.ProviderId is { Length: > 0 } id
                ? [await Discovery.ListAsync(id, p.Refresh, ct).ConfigureAwait(false)]
                : await Discovery.ListAllAsync(p.Refresh, ct).ConfigureAwait(false);
            var models = lists.SelectMany(l => l.Models.Select(m => new ModelDto
            {
                Ref = $"{l.ProviderId}/{m.Id}",
                ProviderId = l.ProviderId,
                Id = m.Id,
                DisplayName = m.DisplayName ?? m.Id,
                ContextLength = m.ContextLength,
                Roles = m.Roles,
                Local = m.Local is { } loc ? new LocalModelDto(loc.Path, loc.SizeBytes, loc.Quant, loc.LastUsed, loc.Loaded) : null,
                Host = m.Host is { } h ? new HostModelInfoDto(h.Vendor, h.Family, h.Version, h.ToolCalling) : null,
                Pricing = ProviderWire.Pricing(m.Pricing),
                Source = ProviderWire.Source(l.Source),
                Params = ModelParamsDto.From(ModelSettings.Get($"{l.ProviderId}/{m.Id}")),
            })).ToList();
            var source = lists.Count == 0 ? ModelSource.Fallback : lists.Max(l => l.Source);
            var errors = lists.Where(l => l.Error is not null).Select(l => new ProviderErrorDto(l.ProviderId, l.Error!)).ToList();
            return new ModelsListResult { Models = models, Source = ProviderWire.Source(source), Errors = errors.Count == 0 ? null : errors };
        });

        // Ollama manages its own models: pull with progress ($/progress {kind, phase, status, bytes, totalBytes}) and delete.
        connection.AddRequestHandler(Protocol.Methods.ProvidersPullModel, () => json.ProviderModelParams, () => json.PulledModelDto, async (p, request, ct) =>
        {
            var ollama = OllamaOf(p.ProviderId);
            using var progress = request.CreateProgress();
            progress.Begin($"Pulling {p.Model}", w => w.WriteString("phase", "downloading"));
            await ollama.PullAsync(Registry.ContextFor(p.ProviderId), p.Model, update => progress.Report(w =>
            {
                w.WriteString("phase", update.Status.StartsWith("verifying", StringComparison.Ordinal) ? "verifying" : "downloading");
                w.WriteString("status", update.Status);
                if (update.Completed is { } c) w.WriteNumber("bytes", c);
                if (update.Total is { } t) w.WriteNumber("totalBytes", t);
            }), ct).ConfigureAwait(false);
            progress.End(w => w.WriteString("status", "success"));
            await Discovery.ListAsync(p.ProviderId, refresh: true, ct).ConfigureAwait(false); // the cached list is stale now
            connection.Notify(Protocol.Methods.ProvidersDidChange, new ProviderChangedDto(p.ProviderId), json.ProviderChangedDto);
            return new PulledModelDto($"{p.ProviderId}/{p.Model}");
        });

        connection.AddRequestHandler(Protocol.Methods.ProvidersDeleteModel, () => json.ProviderModelParams, () => json.EmptyResult, async (p, _, ct) =>
        {
            await OllamaOf(p.ProviderId).DeleteAsync(Registry.ContextFor(p.ProviderId), p.Model, ct).ConfigureAwait(false);
            await Discovery.ListAsync(p.ProviderId, refresh: true, ct).ConfigureAwait(false);
            connection.Notify(Protocol.Methods.ProvidersDidChange, new ProviderChangedDto(p.ProviderId), json.ProviderChangedDto);
            return new EmptyResult();
        });

        connection.AddRequestHandler(Protocol.Methods.RouterGet, () => json.RouterDto, (_, _) =>
            ValueTask.FromResult(ProviderWire.Router(Registry.State.GetRouterPolicy())));

        connection.AddRequestHandler(Protocol.Methods.RouterSet, () => json.RouterDto, () => json.RouterDto, (p, _, _) =>
        {
            var current = Registry.State.GetRouterPolicy();
            var strategy = current.Strategy;
            if (p.Strategy is not null && !RouterPolicy.TryParseStrategy(p.Strategy, out strategy))
                throw new RpcException(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.RouterSet}': strategy must be preferLocal, cloudFirst, localOnly or hostFirst.");
            if (p.Order is { } order && order.FirstOrDefault(id => !Registry.TryGet(id, out _)) is { } unknown)
                throw new RpcException(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.RouterSet}': unknown provider '{unknown}' in order.");
            var policy = current with { Strategy = strategy, Fallback = p.Fallback ?? current.Fallback, Order = p.Order ?? current.Order };
            Registry.State.SetRouterPolicy(policy);
            logger.LogInformation("Routing policy: {Strategy}, fallback {Fallback}.", RouterPolicy.ToWire(policy.Strategy), policy.Fallback);
            return ValueTask.FromResult(ProviderWire.Router(policy));
        });
    }

    private EditorAssist.Providers.Ollama.OllamaProvider OllamaOf(string providerId) =>
        Registry.Get(providerId) as EditorAssist.Providers.Ollama.OllamaProvider
        ?? throw new RpcException(ErrorCodes.InvalidParams, $"'{providerId}' does not manage its own models (only Ollama-style providers do).");

    private async Task<ProviderStatus> CheckAsync(IChatProvider provider, ProviderContext context, CancellationToken ct)
    {
        ProviderStatus status;
        try
        {
            status = await provider.CheckAsync(context, ct).ConfigureAwait(false);
        }
        catch (EditorAssistException ex)
        {
            status = new ProviderStatus(Availability.No, ex.Message);
        }
        status = status with { Reason = status.Reason is null ? null : Redactor.Redact(status.Reason) };
        lock (_lock) _lastCheck[provider.Descriptor.Id] = status;
        return status;
    }

    private ProviderDto ToDto(IChatProvider provider, ProviderContext context, ProviderStatus status)
    {
        var d = provider.Descriptor;
        return new ProviderDto
        {
            Id = d.Id,
            DisplayName = d.DisplayName,
            Kind = ProviderWire.Kind(d.Kind),
            Privacy = ProviderWire.Privacy(context.Privacy),
            RequiresApiKey = d.RequiresApiKey,
            HasApiKey = context.ApiKey is not null,
            BaseUrl = context.BaseUrl,
            DefaultBaseUrl = d.DefaultBaseUrl,
            ApiKeyUrl = d.ApiKeyUrl,
            Availability = ProviderWire.Availability(status.Availability),
            Reason = status.Reason,
            Capabilities = new ProviderCapabilitiesDto(d.Capabilities.Chat, d.Capabilities.Fim, d.Capabilities.Tools, d.Capabilities.Json),
            Options = d.Kind == ProviderKind.Local ? null : ProviderWire.Options(context.Options),
        };
    }
}
