using System.Text;
using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Providers.Http;
using EditorAssist.Providers.OpenAi;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Providers.Ollama;

/// <summary>Progress of an Ollama pull, one per NDJSON line (throttled by the caller if needed).</summary>
public sealed record OllamaPullProgress(string Status, string? Digest, long? Completed, long? Total);

/// <summary>
/// Ollama: native REST for health (<c>/api/version</c>), the model list (<c>/api/tags</c>), pull with
/// progress (<c>/api/pull</c>, NDJSON) and delete (<c>DELETE /api/delete</c>); chat through its
/// OpenAI-compatible <c>/v1</c> endpoint with the OpenAI SDK (same streaming and usage path as the
/// other OpenAI-compatible servers). The configured base URL is the server root (no <c>/v1</c>).
/// </summary>
public sealed class OllamaProvider(ProviderDescriptor descriptor, ProviderHttp http) : OpenAiCompatibleProvider(descriptor, http)
{
    public override async Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var version = await GetVersionAsync(context with { Options = context.Options with { MaxRetries = 0, RequestTimeoutMs = (int)CheckTimeout.TotalMilliseconds } }, cancellationToken).ConfigureAwait(false);
            return new ProviderStatus(Availability.Readily, $"Ollama {version}", sw.ElapsedMilliseconds);
        }
        catch (EditorAssistException ex)
        {
            return new ProviderStatus(Availability.No, ex.Message);
        }
    }

    public async Task<string> GetVersionAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        using var doc = await GetJsonAsync(context, "api/version", null, cancellationToken).ConfigureAwait(false);
        return doc.RootElement.TryGetProperty("version", out var v) ? v.GetString() ?? "?" : "?";
    }

    public override async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        using var doc = await GetJsonAsync(context, "api/tags", null, cancellationToken).ConfigureAwait(false);
        var list = new List<ModelInfo>();
        if (doc.RootElement.TryGetProperty("models", out var models) && models.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in models.EnumerateArray())
            {
                var name = m.TryGetProperty("name", out var n) ? n.GetString() : m.TryGetProperty("model", out var mm) ? mm.GetString() : null;
                if (string.IsNullOrEmpty(name)) continue;
                var preset = Descriptor.Models.FirstOrDefault(p => p.Id == name);
                list.Add(new ModelInfo
                {
                    Id = name,
                    DisplayName = name,
                    ContextLength = preset?.ContextLength,
                    Roles = preset?.Roles ?? ["chat"],
                });
            }
        }
        return list;
    }

    public override IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken) =>
        base.StreamChatAsync(WithV1(context), request, cancellationToken);

    /// <summary>Pulls a model, reporting each NDJSON progress line; returns when the server says "success".</summary>
    public async Task PullAsync(ProviderContext context, string model, Action<OllamaPullProgress> progress, CancellationToken cancellationToken)
    {
        using var call = Http.Create(context);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri(context), "api/pull"))
            {
                Content = new StringContent(Body(model, stream: true), Encoding.UTF8, "application/json"),
            };
            using var response = await call.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
            var done = false;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var err))
                    throw new EditorAssistException(ErrorCode.DownloadFailed, Redactor.Redact($"Ollama could not pull '{model}': {err.GetString()}"));
                var status = root.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";
                progress(new OllamaPullProgress(status,
                    root.TryGetProperty("digest", out var d) ? d.GetString() : null,
                    root.TryGetProperty("completed", out var c) && c.TryGetInt64(out var cv) ? cv : null,
                    root.TryGetProperty("total", out var t) && t.TryGetInt64(out var tv) ? tv : null));
                if (status == "success") done = true;
            }
            if (!done) throw new EditorAssistException(ErrorCode.DownloadFailed, $"Ollama's pull of '{model}' ended before it reported success.");
        }
        catch (Exception ex) when (ex is not EditorAssistException && !cancellationToken.IsCancellationRequested)
        {
            throw ProviderErrors.Map(context, ex, call.State);
        }
    }

    /// <summary>Deletes a model from the Ollama server; 1001 when it has no such model.</summary>
    public async Task DeleteAsync(ProviderContext context, string model, CancellationToken cancellationToken)
    {
        using var call = Http.Create(context);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(BaseUri(context), "api/delete"))
            {
                Content = new StringContent(Body(model, stream: null), Encoding.UTF8, "application/json"),
            };
            using var response = await call.Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ProviderErrors.Map(context, ex, call.State);
        }
    }

    private static string Body(string model, bool? stream)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            if (stream is { } st) w.WriteBoolean("stream", st);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The OpenAI-compatible endpoint of an Ollama root URL.</summary>
    internal static ProviderContext WithV1(ProviderContext context)
    {
        var root = BaseUri(context).ToString();
        return context with { BaseUrl = root.EndsWith("/v1/", StringComparison.Ordinal) ? root : root + "v1" };
    }
}

