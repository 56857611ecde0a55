using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EditorAssist.Testing.Fakes;

/// <summary>
/// Ollama's native REST API (<c>/api/version</c>, <c>/api/tags</c>, <c>/api/pull</c> as NDJSON progress,
/// <c>DELETE /api/delete</c>, <c>/api/chat</c> as NDJSON, <c>/api/generate</c> non-streamed, as fill-in-the-middle
/// uses it) and its OpenAI-compatible <c>/v1</c> endpoint.
/// </summary>
public sealed class OllamaFakeServer : FakeServer
{
    private readonly HashSet<string> _models = new(StringComparer.Ordinal) { "llama3.2:3b", "qwen2.5-coder:1.5b" };
    private readonly Lock _lock = new();

    private OllamaFakeServer() { }

    /// <summary>The base URL to configure (the server root).</summary>
    public string BaseUrl => Root;

    public string Version { get; set; } = "0.6.2";

    public IReadOnlyList<string> Models { get { lock (_lock) return _models.Order(StringComparer.Ordinal).ToList(); } }

    public static async Task<OllamaFakeServer> StartAsync()
    {
        var s = new OllamaFakeServer();
        await s.StartCoreAsync();
        return s;
    }

    protected override bool IsChatPath(string path) => path is "/v1/chat/completions" or "/api/chat";

    protected override async Task HandleAsync(HttpContext ctx, RecordedRequest request)
    {
        var path = ctx.Request.Path.Value ?? "";
        switch (ctx.Request.Method, path)
        {
            case ("GET", "/api/version"):
                await Json(ctx, $$"""{"version":"{{Version}}"}""");
                return;
            case ("GET", "/api/tags"):
                var items = Models.Select(m => $$"""{"name":"{{m}}","model":"{{m}}","modified_at":"2025-05-01T10:00:00.000000000Z","size":2019393189,"digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"} }""");
                await Json(ctx, $$"""{"models":[{{string.Join(",", items)}}]}""");
                return;
            case ("POST", "/api/pull"):
                await PullAsync(ctx, request);
                return;
            case ("DELETE", "/api/delete"):
                var name = ModelName(request.Body);
                bool removed;
                lock (_lock) removed = name is not null && _models.Remove(name);
                if (removed) ctx.Response.StatusCode = 200;
                else await WriteStatusAsync(ctx, new StatusReply(404, $$"""{"error":"model '{{name}}' not found"}"""));
                return;
            case ("POST", "/v1/chat/completions"):
                await OpenAiFakeServer.ReplyAsync(ctx, request, NextReply(), this);
                return;
            case ("POST", "/api/chat"):
                await NativeChatAsync(ctx, NextReply());
                return;
            case ("POST", "/api/generate"):
                await GenerateAsync(ctx, NextReply());
                return;
        }
        await WriteStatusAsync(ctx, new StatusReply(404, "404 page not found"));
    }

    private async Task PullAsync(HttpContext ctx, RecordedRequest request)
    {
        var name = ModelName(request.Body) ?? "";
        if (name.StartsWith("missing", StringComparison.Ordinal))
        {
            await WriteStatusAsync(ctx, new StatusReply(500, """{"error":"pull model manifest: file does not exist"}"""));
            return;
        }
        ctx.Response.ContentType = "application/x-ndjson";
        const long total = 2019393189;
        await SendAsync(ctx, """{"status":"pulling manifest"}""" + "\n");
        foreach (var done in new long[] { 0, total / 2, total })
            await SendAsync(ctx, $$"""{"status":"pulling dde5aa3fc5ff","digest":"sha256:dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff","total":{{total}},"completed":{{done}} }""" + "\n");
        await SendAsync(ctx, """{"status":"verifying sha256 digest"}""" + "\n");
        await SendAsync(ctx, """{"status":"writing manifest"}""" + "\n");
        lock (_lock) _models.Add(name);
        await SendAsync(ctx, """{"status":"success"}""" + "\n");
    }

    private async Task NativeChatAsync(HttpContext ctx, FakeReply reply)
    {
        if (reply is not StreamReply s)
        {
            await WriteStatusAsync(ctx, reply as StatusReply ?? new StatusReply(500, """{"error":"unsupported"}"""));
            return;
        }
        ctx.Response.ContentType = "application/x-ndjson";
        foreach (var t in s.Tokens)
            await SendAsync(ctx, $$"""{"model":"{{s.Model}}","created_at":"2025-05-01T10:00:00Z","message":{"role":"assistant","content":{{JsonSerializer.Serialize(t)}} },"done":false}""" + "\n");
        await SendAsync(ctx, $$"""{"model":"{{s.Model}}","created_at":"2025-05-01T10:00:01Z","message":{"role":"assistant","content":""},"done_reason":"{{s.Finish}}","done":true,"total_duration":1000000,"prompt_eval_count":{{s.PromptTokens}},"eval_count":{{s.CompletionTokens ?? s.Tokens.Count}} }""" + "\n");
    }

    /// <summary><c>/api/generate</c> with <c>stream: false</c>: one JSON object with the whole <c>response</c> and the counts.</summary>
    private async Task GenerateAsync(HttpContext ctx, FakeReply reply)
    {
        switch (reply)
        {
            case StatusReply status: await WriteStatusAsync(ctx, status); return;
            case HangReply: await HangAsync(ctx); return;
        }
        var s = reply as StreamReply ?? StreamReply.Hello;
        await Json(ctx, $$"""{"model":"{{s.Model}}","created_at":"2025-05-01T10:00:01Z","response":{{JsonSerializer.Serialize(string.Concat(s.Tokens))}},"done":true,"done_reason":"{{s.Finish}}","context":[1,2,3],"total_duration":1000000,"load_duration":1000,"prompt_eval_count":{{s.PromptTokens}},"prompt_eval_duration":1000,"eval_count":{{s.CompletionTokens ?? s.Tokens.Count}},"eval_duration":1000}""");
    }

    private static string? ModelName(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("model", out var m) ? m.GetString()
                : doc.RootElement.TryGetProperty("name", out var n) ? n.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task Json(HttpContext ctx, string json)
    {
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(json);
    }
}
