using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EditorAssist.Testing.Fakes;

/// <summary>
/// OpenAI's chat completions API as OpenAI-compatible servers speak it: <c>GET /v1/models</c> and
/// <c>POST /v1/chat/completions</c> streamed as SSE (<c>data: {chunk}</c> lines, a usage chunk with
/// empty choices when <c>stream_options.include_usage</c> is set, then <c>data: [DONE]</c>); plus the
/// fill-in-the-middle endpoints, non-streamed: <c>/v1/completions</c> (legacy completions with
/// <c>suffix</c>), <c>/beta/completions</c>, <c>/v1/fim/completions</c> and llama-server's <c>/infill</c>.
/// A <see cref="StreamReply"/>'s tokens are concatenated into the one answer.
/// </summary>
public sealed class OpenAiFakeServer : FakeServer
{
    private OpenAiFakeServer() { }

    /// <summary>The base URL to configure (ends in /v1).</summary>
    public string BaseUrl => Root + "/v1";

    public IReadOnlyList<string> ModelIds { get; set; } = ["fake-model", "gpt-4.1-mini"];

    public static async Task<OpenAiFakeServer> StartAsync()
    {
        var s = new OpenAiFakeServer();
        await s.StartCoreAsync();
        return s;
    }

    protected override bool IsChatPath(string path) => path.EndsWith("/chat/completions", StringComparison.Ordinal);

    protected override async Task HandleAsync(HttpContext ctx, RecordedRequest request)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (ctx.Request.Method == "GET" && path.EndsWith("/models", StringComparison.Ordinal))
        {
            var data = string.Join(",", ModelIds.Select(id => $$"""{"id":{{JsonSerializer.Serialize(id)}},"object":"model","created":1700000000,"owned_by":"fake"}"""));
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($$"""{"object":"list","data":[{{data}}]}""");
            return;
        }
        if (ctx.Request.Method == "POST" && IsChatPath(path))
        {
            await ReplyAsync(ctx, request, NextReply(), this);
            return;
        }
        if (ctx.Request.Method == "POST" && path is "/infill" or "/v1/fim/completions" or "/beta/completions" or "/v1/completions")
        {
            // Fill-in-the-middle, one JSON answer each: llama-server's /infill, Mistral's /v1/fim/completions,
            // and the legacy completions with suffix (/v1/completions on vLLM/LM Studio, /beta/completions on DeepSeek).
            var reply = NextReply();
            switch (reply)
            {
                case StatusReply status: await WriteStatusAsync(ctx, status); return;
                case HangReply: await HangAsync(ctx); return;
            }
            var sr = reply as StreamReply ?? StreamReply.Hello;
            var text = JsonSerializer.Serialize(string.Concat(sr.Tokens));
            var completion = sr.CompletionTokens ?? sr.Tokens.Count;
            var usage = "\"usage\":" + $$"""{"prompt_tokens":{{sr.PromptTokens}},"completion_tokens":{{completion}},"total_tokens":{{sr.PromptTokens + completion}} }""";
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(path switch
            {
                "/infill" => $$"""{"index":0,"content":{{text}},"tokens_predicted":{{completion}},"tokens_evaluated":{{sr.PromptTokens}},"stop":true}""",
                "/v1/fim/completions" => $$"""{"id":"fim-1","object":"chat.completion","created":1700000000,"model":"{{sr.Model}}","choices":[{"index":0,"message":{"role":"assistant","content":{{text}},"tool_calls":null,"prefix":false},"finish_reason":"{{sr.Finish}}"}],{{usage}} }""",
                _ => $$"""{"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"{{sr.Model}}","choices":[{"index":0,"text":{{text}},"logprobs":null,"finish_reason":"{{sr.Finish}}"}],{{usage}} }""",
            }, ctx.RequestAborted);
            return;
        }
        ctx.Response.StatusCode = 404;
        await ctx.Response.WriteAsync("""{"error":{"message":"Unknown path","type":"invalid_request_error","code":"unknown_url"}}""");
    }

    /// <summary>Shared with the Ollama fake, whose /v1 endpoint speaks the same format.</summary>
    internal static async Task ReplyAsync(HttpContext ctx, RecordedRequest request, FakeReply reply, FakeServer server)
    {
        switch (reply)
        {
            case StatusReply status:
                await WriteStatusAsync(ctx, status);
                return;
            case HangReply:
                await server.HangPublicAsync(ctx);
                return;
            case StreamReply s:
                break;
            default:
                throw new NotSupportedException(reply.GetType().Name);
        }
        var stream = (StreamReply)reply;
        var includeUsage = false;
        try
        {
            using var doc = JsonDocument.Parse(request.Body);
            includeUsage = doc.RootElement.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.GetBoolean();
        }
        catch (JsonException) { }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        const string id = "chatcmpl-fake1";
        string Chunk(string delta, string? finish) =>
            $$"""data: {"id":"{{id}}","object":"chat.completion.chunk","created":1700000000,"model":"{{stream.Model}}","system_fingerprint":"fp_fake","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}} }]{{(includeUsage ? ",\"usage\":null" : "")}} }""" + "\n\n";

        await SendAsync(ctx, Chunk("""{"role":"assistant","content":"","refusal":null}""", null));
        for (var i = 0; i < stream.Tokens.Count; i++)
        {
            if (stream.DropAfter == i) { await server.DropAsync(ctx); return; }
            if (stream.HangAfter == i) { await server.HangPublicAsync(ctx); return; }
            await SendAsync(ctx, Chunk($$"""{"content":{{JsonSerializer.Serialize(stream.Tokens[i])}} }""", null));
            server.MarkStreamStartedPublic();
        }
        if (stream.DropAfter == stream.Tokens.Count) { await server.DropAsync(ctx); return; }
        if (stream.HangAfter == stream.Tokens.Count) { await server.HangPublicAsync(ctx); return; }
        await SendAsync(ctx, Chunk("{}", stream.Finish));
        if (includeUsage)
        {
            var completion = stream.CompletionTokens ?? stream.Tokens.Count;
            await SendAsync(ctx, $$"""data: {"id":"{{id}}","object":"chat.completion.chunk","created":1700000000,"model":"{{stream.Model}}","system_fingerprint":"fp_fake","choices":[],"usage":{"prompt_tokens":{{stream.PromptTokens}},"completion_tokens":{{completion}},"total_tokens":{{stream.PromptTokens + completion}},"prompt_tokens_details":{"cached_tokens":{{stream.CachedTokens}},"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0} } }""" + "\n\n");
        }
        await SendAsync(ctx, "data: [DONE]\n\n");
    }
}
