using EditorAssist.Core.Errors;
using EditorAssist.Providers.Anthropic;
using EditorAssist.Providers.Http;
using EditorAssist.Providers.Ollama;
using EditorAssist.Providers.OpenAi;
using EditorAssist.Core.Providers;
using EditorAssist.Storage;

namespace EditorAssist.Providers;

/// <summary>
/// The single source of truth for providers: the shipped presets (data, <c>presets.json</c>) made into
/// providers by their <see cref="ProviderApi"/>, plus every <see cref="IChatProvider"/> registered in
/// DI (the local runtime registers itself that way). A DI-registered provider with a preset's id
/// replaces that preset. The user's configuration comes from <see cref="ProviderState"/> and keys from
/// <see cref="ApiKeyStore"/>, both read at each call through <see cref="ContextFor"/>.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IChatProvider> _byId = new(StringComparer.Ordinal);
    private readonly List<IChatProvider> _ordered = [];

    public ProviderRegistry(
        IEnumerable<IChatProvider> registered,
        ProviderHttp http,
        ApiKeyStore keys,
        ProviderState state,
        IReadOnlyList<ProviderDescriptor>? presets = null)
    {
        Keys = keys;
        State = state;
        // DI-registered providers (the local runtime) come first: they lead the preferLocal order. The local
        // runtime leads whatever the registration order (the host provider is registered by AddProviders).
        foreach (var p in registered.OrderBy(p => p.Descriptor.Kind == ProviderKind.Local ? 0 : 1)) Add(p);
        foreach (var d in presets ?? ProviderPresets.All)
        {
            if (_byId.ContainsKey(d.Id)) continue;
            Add(Create(d, http));
        }
    }

    public ApiKeyStore Keys { get; }
    public ProviderState State { get; }

    /// <summary>All providers, in registry order (DI-registered first, then presets in file order).</summary>
    public IReadOnlyList<IChatProvider> Providers => _ordered;

    public bool TryGet(string id, out IChatProvider provider) => _byId.TryGetValue(id, out provider!);

    /// <exception cref="EditorAssistException">ModelNotFound (1001) when no provider has that id.</exception>
    public IChatProvider Get(string id) => _byId.TryGetValue(id, out var p)
        ? p
        : throw new EditorAssistException(ErrorCode.ModelNotFound, $"There is no provider '{id}'. Known providers: {string.Join(", ", _byId.Keys)}.")
        { Details = new Dictionary<string, object?> { ["providerId"] = id, ["cause"] = "unknownProvider" } };

    /// <summary>The provider's current configuration, key and privacy class, for one call.</summary>
    public ProviderContext ContextFor(string id)
    {
        var provider = Get(id);
        var d = provider.Descriptor;
        var config = d.Kind == ProviderKind.Local ? new ProviderConfig(null, new ProviderOptions()) : State.GetConfig(id);
        var baseUrl = config.BaseUrl ?? d.DefaultBaseUrl;
        return new ProviderContext
        {
            Descriptor = d,
            BaseUrl = baseUrl,
            ApiKey = Keys.Get(id),
            Options = config.Options,
            Privacy = PrivacyClassifier.Classify(d.Kind, baseUrl),
        };
    }

    /// <summary>Changes a provider's base URL and/or options (persisted). A null <paramref name="baseUrl"/> keeps it; "" resets to the preset.</summary>
    public ProviderContext Configure(string id, string? baseUrl, ProviderOptions? options)
    {
        var d = Get(id).Descriptor;
        if ((d.Kind == ProviderKind.Local || d.Api == ProviderApi.Host) && baseUrl is { Length: > 0 })
            throw new ArgumentException($"The {d.DisplayName} provider has no base URL.");
        var current = State.GetConfig(id);
        var url = current.BaseUrl;
        if (baseUrl is not null)
        {
            if (baseUrl.Length == 0) url = null;
            else
            {
                if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    throw new ArgumentException("baseUrl must be an absolute http(s) URL.");
                if (!string.IsNullOrEmpty(uri.UserInfo))
                    throw new ArgumentException("baseUrl must not carry credentials; set the key with providers/setApiKey.");
                url = baseUrl.TrimEnd('/');
            }
        }
        State.SetConfig(id, new ProviderConfig(url, options is null ? current.Options : Merge(current.Options, options)));
        return ContextFor(id);
    }

    /// <summary>Options named in an update replace the stored ones; options left out (null) are kept.</summary>
    private static ProviderOptions Merge(ProviderOptions current, ProviderOptions update) => new()
    {
        DefaultModel = update.DefaultModel ?? current.DefaultModel,
        RequestTimeoutMs = update.RequestTimeoutMs ?? current.RequestTimeoutMs,
        StreamIdleTimeoutMs = update.StreamIdleTimeoutMs ?? current.StreamIdleTimeoutMs,
        MaxRetries = update.MaxRetries ?? current.MaxRetries,
        Enabled = update.Enabled ?? current.Enabled,
    };

    /// <summary>Makes the built-in implementation for a preset (by its wire format).</summary>
    public static IChatProvider Create(ProviderDescriptor d, ProviderHttp http) => d.Api switch
    {
        ProviderApi.Openai => new OpenAiCompatibleProvider(d, http),
        ProviderApi.Azure => new AzureOpenAiProvider(d, http),
        ProviderApi.Anthropic => new AnthropicProvider(d, http),
        ProviderApi.Ollama => new OllamaProvider(d, http),
        _ => throw new InvalidDataException($"Preset '{d.Id}' has api '{d.Api}', which only a DI-registered provider can serve."),
    };

    private void Add(IChatProvider p)
    {
        var id = p.Descriptor.Id;
        if (string.IsNullOrWhiteSpace(id) || id.Contains('/')) throw new ArgumentException($"Invalid provider id '{id}'.");
        if (!_byId.TryAdd(id, p)) throw new ArgumentException($"Two providers registered with id '{id}'.");
        _ordered.Add(p);
    }

    /// <summary>Splits "provider/model" (the model part may itself contain '/', as in OpenRouter ids).</summary>
    public static (string ProviderId, string ModelId) ParseRef(string modelRef)
    {
        var slash = modelRef.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == modelRef.Length - 1)
            throw new EditorAssistException(ErrorCode.ModelNotFound, $"'{modelRef}' is not a model reference; expected \"<providerId>/<modelId>\".")
            { Details = new Dictionary<string, object?> { ["cause"] = "invalidRef" } };
        return (modelRef[..slash], modelRef[(slash + 1)..]);
    }
}
