using System.Net;
using System.Net.Sockets;
using EditorAssist.Core.Errors;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Providers;

namespace EditorAssist.Providers;

/// <summary>
/// Turns whatever a provider call threw (an SDK exception, an HttpRequestException, an IOException of
/// a broken stream) into an <see cref="EditorAssistException"/> with a PROTOCOL.md code, using what the
/// HTTP layer recorded (<see cref="HttpCallState"/>) so that the OpenAI SDK, the Anthropic SDK and
/// plain HTTP map identically. Every message passes through <see cref="Redactor"/>.
/// </summary>
public static class ProviderErrors
{
    public static EditorAssistException Missing(ProviderDescriptor d) =>
        Create(ErrorCode.ApiKeyMissing, d,
            $"{d.DisplayName} needs an API key. Add one in EditorAssist's provider settings{(d.ApiKeyUrl is null ? "" : $" (get a key at {d.ApiKeyUrl})")}.");

    /// <summary>
    /// 1017: the provider cannot fill in the middle. <paramref name="detail"/> is the server's own reason
    /// when it refused; <paramref name="providersWithFim"/> names the providers that can, so the message
    /// says where to go instead.
    /// </summary>
    public static EditorAssistException FimNotSupported(ProviderDescriptor d, string? detail = null, IEnumerable<string>? providersWithFim = null)
    {
        var can = providersWithFim?.ToList();
        var message = detail is null
            ? $"{d.DisplayName} has no fill-in-the-middle API, so it cannot complete code inline."
            : $"{d.DisplayName} did not accept the fill-in-the-middle request{Suffix(detail)}.";
        message += can is { Count: > 0 }
            ? $" Inline completion works with a local code model or a provider with FIM: {string.Join(", ", can)}."
            : " Choose a local code model or a provider with FIM (Ollama, llama.cpp server, vLLM, LM Studio, Mistral/Codestral, DeepSeek).";
        return Create(ErrorCode.FimNotSupported, d, message);
    }

    /// <summary>
    /// <see cref="Map"/> for a fill-in-the-middle call, which can also fail because the server has no FIM:
    /// 501 (llama-server: the model has no infill tokens), a 404 that names no model (the endpoint is
    /// missing), or a 4xx that refuses the suffix (vLLM "suffix is not currently supported", Ollama
    /// "does not support insert"). Those are 1017, so the client says "choose a code model" rather than
    /// "the server is down".
    /// </summary>
    public static EditorAssistException MapFim(ProviderContext context, Exception ex, HttpCallState? http)
    {
        if (ex is EditorAssistException already) return already;
        if (http?.Status is { } status && !http.Succeeded)
        {
            var code = (int)status;
            var body = http.Body ?? "";
            var refused = code == 501
                || (status == HttpStatusCode.NotFound && !Contains(body, "model"))
                || (code is >= 400 and < 500 && status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests)
                    && (Contains(body, "suffix") || Contains(body, "does not support insert") || Contains(body, "infill") || Contains(body, "not_supported")));
            if (refused && !IsContextLength(context.Descriptor, body))
                return FimNotSupported(context.Descriptor, $"HTTP {code}{(ExtractMessage(body) is { } m ? ", " + Truncate(m, 300) : "")}");
        }
        return Map(context, ex, http);
    }

    public static EditorAssistException Map(ProviderContext context, Exception ex, HttpCallState? http)
    {
        if (ex is EditorAssistException already) return already;
        var d = context.Descriptor;
        var body = http?.Body ?? "";
        var text = body + "\n" + ex.Message + "\n" + ex.InnerException?.Message;

        if (http?.Status is { } status && !http.Succeeded)
        {
            var code = (int)status;
            var detail = ExtractMessage(body);
            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                // No key was sent: the server wants one (a vLLM or llama-server started with --api-key, too).
                return context.ApiKey is null
                    ? Missing(d)
                    : Create(ErrorCode.ApiKeyRejected, d, $"{d.DisplayName} rejected the API key (HTTP {code}){Suffix(detail)}. Check or replace the key.");
            }
            if (status == HttpStatusCode.TooManyRequests)
            {
                if (Contains(text, "insufficient_quota") || Contains(text, "quota"))
                    return Create(ErrorCode.QuotaExceeded, d, $"{d.DisplayName} reports the account's quota is used up{Suffix(detail)}. Check the plan and billing.");
                var ex429 = Create(ErrorCode.RateLimited, d, $"{d.DisplayName} is rate limiting requests{(http.RetryAfter is { } ra ? $"; try again in {Math.Ceiling(ra.TotalSeconds)} s" : "")}{Suffix(detail)}.",
                    http.RetryAfter is { } r ? new Dictionary<string, object?> { ["retryAfterMs"] = (long)r.TotalMilliseconds } : null);
                return ex429;
            }
            if (IsContextLength(d, text))
                return Create(ErrorCode.ContextLengthExceeded, d, $"The conversation is longer than the model's context on {d.DisplayName}{Suffix(detail)}. Start a new chat or send less context.");
            if (status == HttpStatusCode.NotFound
                || (code < 500 && (Contains(text, "model_not_found") || Contains(text, "does not exist") || (Contains(text, "model") && Contains(text, "not found")))))
                return Create(ErrorCode.ModelNotFound, d, $"{d.DisplayName} does not know that model (HTTP {code}){Suffix(detail)}. Pick another model or refresh the model list.");
            if (code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict)
                return Create(ErrorCode.ProviderUnavailable, d, $"{d.DisplayName} failed (HTTP {code}){Suffix(detail)}. Try again later.",
                    new Dictionary<string, object?> { ["status"] = code });
            return Create(ErrorCode.ProviderUnavailable, d, $"{d.DisplayName} refused the request (HTTP {code}){Suffix(detail)}.",
                new Dictionary<string, object?> { ["status"] = code });
        }

        // No failed status: the connection failed, timed out, or the stream broke or carried an error event.
        if (IsContextLength(d, text))
            return Create(ErrorCode.ContextLengthExceeded, d, $"The conversation is longer than the model's context on {d.DisplayName}. Start a new chat or send less context.");
        if (Contains(text, "rate_limit"))
            return Create(ErrorCode.RateLimited, d, $"{d.DisplayName} is rate limiting requests.");
        if (Contains(text, "authentication_error") || Contains(text, "invalid_api_key"))
            return Create(ErrorCode.ApiKeyRejected, d, $"{d.DisplayName} rejected the API key. Check or replace the key.");
        if (http?.TimedOut == true || ex is TimeoutException || ex.InnerException is TimeoutException)
            return Create(ErrorCode.ProviderUnavailable, d, $"{d.DisplayName} did not answer in time at {Where(context)}.", new Dictionary<string, object?> { ["cause"] = "timeout" });
        if (http is { Succeeded: true })
            return Create(ErrorCode.ProviderUnavailable, d, $"The response from {d.DisplayName} broke off: {Redactor.Redact(Innermost(ex).Message)}", new Dictionary<string, object?> { ["cause"] = "streamBroken" });
        if (Find<SocketException>(ex) is { } se)
            return Create(ErrorCode.ProviderUnavailable, d,
                se.SocketErrorCode == SocketError.ConnectionRefused
                    ? $"Nothing is listening at {Where(context)}. Is {d.DisplayName} running?"
                    : $"Cannot reach {d.DisplayName} at {Where(context)} ({se.SocketErrorCode}).",
                new Dictionary<string, object?> { ["cause"] = se.SocketErrorCode == SocketError.ConnectionRefused ? "notRunning" : "unreachable" });
        return Create(ErrorCode.ProviderUnavailable, d, $"Cannot reach {d.DisplayName} at {Where(context)}: {Innermost(ex).Message}",
            new Dictionary<string, object?> { ["cause"] = "unreachable" });
    }

    public static bool IsContextLength(ProviderDescriptor d, string text) =>
        d.ContextLengthPatterns.Any(p => Contains(text, p)) || Contains(text, "context_length_exceeded");

    /// <summary>Whether a failure before the first token may move on to the next provider (fallback).</summary>
    public static bool AllowsFallback(EditorAssistException ex) =>
        ex.Code is ErrorCode.ProviderUnavailable or ErrorCode.ApiKeyMissing or ErrorCode.ApiKeyRejected
            or ErrorCode.RateLimited or ErrorCode.QuotaExceeded or ErrorCode.ModelNotDownloaded or ErrorCode.ModelBusy;

    private static EditorAssistException Create(ErrorCode code, ProviderDescriptor d, string message, Dictionary<string, object?>? details = null)
    {
        var data = details ?? new Dictionary<string, object?>();
        data["providerId"] = d.Id;
        return new EditorAssistException(code, Redactor.Redact(message)) { Details = data };
    }

    private static string Where(ProviderContext c) => c.BaseUrl is null ? c.Descriptor.Id : Redactor.Redact(c.BaseUrl);

    private static string Suffix(string? detail) => string.IsNullOrWhiteSpace(detail) ? "" : $": {Truncate(detail, 300)}";

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    private static bool Contains(string text, string pattern) => text.Contains(pattern, StringComparison.OrdinalIgnoreCase);

    private static T? Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException) if (e is T t) return t;
        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    /// <summary>The human part of an error body: error.message (OpenAI, Anthropic), error (Ollama), else the raw text.</summary>
    internal static string? ExtractMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == System.Text.Json.JsonValueKind.Array && root.GetArrayLength() > 0) root = root[0];
            if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("error", out var err))
            {
                if (err.ValueKind == System.Text.Json.JsonValueKind.String) return err.GetString();
                if (err.ValueKind == System.Text.Json.JsonValueKind.Object && err.TryGetProperty("message", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.String) return m.GetString();
            }
            if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("message", out var msg) && msg.ValueKind == System.Text.Json.JsonValueKind.String) return msg.GetString();
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return body.Trim();
    }
}
