using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Web;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers.Http;
using OpenAI.Chat;

namespace EditorAssist.Providers.OpenAi;

/// <summary>
/// Azure OpenAI (issue 14, item 6): OpenAI's wire format (streamed chat, tool calls, usage) on the user's
/// own resource, with three differences: the model is a <b>deployment name</b> in the path
/// (<c>{endpoint}/openai/deployments/{deployment}/chat/completions</c>), every request carries the
/// <c>api-version</c> query parameter, and the key goes in the <c>api-key</c> header instead of
/// <c>Authorization: Bearer</c>. The endpoint is the provider's base URL
/// (<c>https://{resource}.openai.azure.com</c>); <c>?api-version=…</c> on it overrides <see cref="DefaultApiVersion"/>.
/// Discovery lists the resource's deployments (<c>GET /openai/deployments</c>, an older data-plane API that
/// not every resource answers: then the list is empty and the user names the deployment in the ref).
/// </summary>
public sealed class AzureOpenAiProvider(ProviderDescriptor descriptor, ProviderHttp http) : OpenAiCompatibleProvider(descriptor, http)
{
    /// <summary>The GA data-plane version used unless the endpoint names another.</summary>
    public const string DefaultApiVersion = "2024-10-21";
    /// <summary>The version of the deployments listing (it was dropped from later versions).</summary>
    public const string DeploymentsApiVersion = "2022-12-01";
    /// <summary>The placeholder endpoint of the preset: the user has not set theirs yet.</summary>
    public const string PlaceholderHost = "your-resource.openai.azure.com";

    /// <summary>The resource endpoint (no query, ending in '/') and the api-version to send.</summary>
    public static (Uri Endpoint, string ApiVersion) Endpoint(ProviderContext context)
    {
        var url = context.BaseUrl ?? context.Descriptor.DefaultBaseUrl
                  ?? throw new EditorAssistException(ErrorCode.ProviderUnavailable, "Azure OpenAI has no endpoint.");
        var uri = new Uri(url, UriKind.Absolute);
        if (string.Equals(uri.Host, PlaceholderHost, StringComparison.OrdinalIgnoreCase))
            throw new EditorAssistException(ErrorCode.ProviderUnavailable,
                "Set your Azure OpenAI endpoint first: the setting editorAssist.providers.baseUrls, e.g. { \"azure\": \"https://<resource>.openai.azure.com\" }.")
            { Details = new Dictionary<string, object?> { ["providerId"] = context.Descriptor.Id, ["cause"] = "endpointNotSet" } };
        var version = HttpUtility.ParseQueryString(uri.Query)["api-version"];
        var path = uri.GetLeftPart(UriPartial.Path);
        return (new Uri(path.EndsWith('/') ? path : path + "/"), string.IsNullOrWhiteSpace(version) ? DefaultApiVersion : version);
    }

    protected override ChatClient CreateChatClient(ProviderContext context, string model, HttpClient httpClient)
    {
        var (endpoint, version) = Endpoint(context);
        var options = ClientOptions(new Uri(endpoint, $"openai/deployments/{Uri.EscapeDataString(model)}/"), httpClient);
        options.AddPolicy(new AzureRequestPolicy(version, context.ApiKey), PipelinePosition.BeforeTransport);
        return new ChatClient(model, new ApiKeyCredential(context.ApiKey ?? "no-key"), options);
    }

    public override async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        RequireKey(context);
        var (endpoint, _) = Endpoint(context);
        using var doc = await GetJsonAsync(context with { BaseUrl = endpoint.ToString() }, $"openai/deployments?api-version={DeploymentsApiVersion}",
            h => { if (context.ApiKey is { } key) h.Add("api-key", key); }, cancellationToken).ConfigureAwait(false);
        var list = new List<ModelInfo>();
        if (doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in data.EnumerateArray())
            {
                if (!d.TryGetProperty("id", out var id) || id.GetString() is not { Length: > 0 } deployment) continue;
                var model = d.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                list.Add(new ModelInfo
                {
                    Id = deployment,
                    DisplayName = model is null ? deployment : $"{deployment} ({model})",
                    Roles = ["chat"],
                });
            }
        }
        return list;
    }

    /// <summary>Adds <c>api-version</c> to the URL and moves the key from <c>Authorization</c> to <c>api-key</c>, just before sending.</summary>
    private sealed class AzureRequestPolicy(string apiVersion, string? key) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message.Request);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message.Request);
            await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        }

        private void Apply(PipelineRequest request)
        {
            var uri = request.Uri!;
            if (!uri.Query.Contains("api-version=", StringComparison.Ordinal))
            {
                var b = new UriBuilder(uri);
                var q = b.Query.TrimStart('?');
                b.Query = (q.Length > 0 ? q + "&" : "") + "api-version=" + Uri.EscapeDataString(apiVersion);
                request.Uri = b.Uri;
            }
            request.Headers.Remove("Authorization");
            if (key is not null) request.Headers.Set("api-key", key);
        }
    }
}
