using EditorAssist.Core.Errors;
using Microsoft.Extensions.Logging;
using EditorAssist.Core.Providers;
using EditorAssist.Storage;

namespace EditorAssist.Providers;

/// <summary>Where a model list came from (PROTOCOL.md <c>models/list</c> <c>source</c>).</summary>
public enum ModelSource { Api, Cache, Fallback }

public sealed record ProviderModels(string ProviderId, IReadOnlyList<ModelInfo> Models, ModelSource Source, string? Error = null);

/// <summary>
/// <c>models/list</c>: asks the provider (its models endpoint) and caches the answer in SQLite; when the
/// provider cannot be asked (no key, down, key rejected) it answers from the cache, and without a cache
/// from the preset's fallback list. A cached list younger than <see cref="CacheTtl"/> is used without
/// asking unless <c>refresh</c> is set. The cache is keyed by base URL: pointing a provider elsewhere
/// invalidates it.
/// </summary>
public sealed class ModelDiscovery(ProviderRegistry registry, ILogger<ModelDiscovery>? logger = null, TimeProvider? time = null)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromHours(6);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<IReadOnlyList<ProviderModels>> ListAllAsync(bool refresh, CancellationToken cancellationToken)
    {
        var tasks = registry.Providers.Select(p => ListAsync(p.Descriptor.Id, refresh, cancellationToken)).ToList();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    public async Task<ProviderModels> ListAsync(string providerId, bool refresh, CancellationToken cancellationToken)
    {
        var provider = registry.Get(providerId);
        var context = registry.ContextFor(providerId);
        var d = provider.Descriptor;
        // The local runtime reads its disk and the host provider holds what the editor pushed: both are
        // asked every time and never cached (a stale host list would outlive the editor's own).
        var live = d.Kind == ProviderKind.Local || d.Api == ProviderApi.Host;
        var cached = live ? null : registry.State.GetCachedModels(providerId);
        if (cached is not null && !string.Equals(cached.BaseUrl, context.BaseUrl ?? "", StringComparison.Ordinal)) cached = null;

        var fresh = cached is not null && _time.GetUtcNow() - cached.FetchedAt < CacheTtl;
        if (!refresh && fresh) return new ProviderModels(providerId, cached!.Models, ModelSource.Cache);

        var canAsk = live || (d.Discovery && !(d.RequiresApiKey && context.ApiKey is null));
        string? error = null;
        if (canAsk)
        {
            try
            {
                var models = await provider.ListModelsAsync(context, cancellationToken).ConfigureAwait(false);
                if (!live)
                    registry.State.SetCachedModels(providerId, new CachedModels(context.BaseUrl ?? "", models, _time.GetUtcNow()));
                return new ProviderModels(providerId, models, ModelSource.Api);
            }
            catch (EditorAssistException ex)
            {
                error = ex.Message;
                logger?.LogInformation("Model discovery for {Provider} failed ({Code}): {Message}", providerId, ex.Code, Redactor.Redact(ex.Message));
            }
        }
        else if (d.RequiresApiKey && context.ApiKey is null)
        {
            error = ProviderErrors.Missing(d).Message;
        }

        if (cached is not null) return new ProviderModels(providerId, cached.Models, ModelSource.Cache, error);
        var fallback = d.Models.Select(m => new ModelInfo
        {
            Id = m.Id,
            DisplayName = m.DisplayName,
            ContextLength = m.ContextLength,
            Roles = m.Roles ?? ["chat"],
            Pricing = m.Pricing,
        }).ToList();
        return new ProviderModels(providerId, fallback, ModelSource.Fallback, error);
    }

    /// <summary>The model to use for a provider when a request does not name one: configured default, first discovered, first preset.</summary>
    public string? DefaultModelFor(string providerId)
    {
        var context = registry.ContextFor(providerId);
        if (context.Options.DefaultModel is { Length: > 0 } m) return m;
        var cached = registry.State.GetCachedModels(providerId);
        if (cached is { Models.Count: > 0 } && cached.BaseUrl == (context.BaseUrl ?? "")) return cached.Models[0].Id;
        return context.Descriptor.Models.FirstOrDefault()?.Id;
    }
}
