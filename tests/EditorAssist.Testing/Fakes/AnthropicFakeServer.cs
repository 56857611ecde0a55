using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EditorAssist.Testing.Fakes;

/// <summary>
/// Anthropic's Messages API: <c>POST /v1/messages</c> streamed as SSE events (message_start,
/// content_block_start, ping, content_block_delta, content_block_stop, message_delta, message_stop,
/// or an <c>error</c> event), errors as <c>{"type":"error","error":{type,message}}</c>, and
/// <c>GET /v1/models</c>.
/// </summary>
public sealed class AnthropicFakeServer : FakeServer
{
    private AnthropicFakeServer() { }

    /// <summary>The base URL to configure (the API root, without /v1).</summary>
    public string BaseUrl => Root;

    public static async Task<AnthropicFakeServer> StartAsync()
    {
        var s = new AnthropicFakeServer();
        await s.StartCoreAsync();
        return s;
    }

    public static string ErrorBody(string type, string message) =>
        $$"""{"type":"error","error":{"type":"{{type}}","message":{{JsonSerializer.Serialize(message)}} } }""";

    protected override bool IsChatPath(string path) => path.StartsWith("/v1/messages", StringComparison.Ordinal);

    protected override async Task HandleAsync(HttpContext ctx, RecordedRequest request)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (ctx.Request.Method == "GET" && path == "/v1/models")
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""
                {"data":[{"type":"model","id":"claude-sonnet-4-20250514","display_name":"Claude Sonnet 4","created_at":"2025-05-22T00:00:00Z"},
                         {"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],
                 "has_more":false,"first_id":"claude-sonnet-4-20250514","last_id":"claude-3-5-haiku-20241022"}
                """);
            return;
        }
        if (ctx.Request.Method != "POST" || !IsChatPath(path))
        {
            await WriteStatusAsync(ctx, new StatusReply(404, ErrorBody("not_found_error", "Not found")));
            return;
        }

        var reply = NextReply();
        switch (reply)
        {
            case StatusReply status:
                await WriteStatusAsync(ctx, status);
                return;
            case HangReply:
                await HangAsync(ctx);
                return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache";
        Task Event(string name, string data) => SendAsync(ctx, $"event: {name}\ndata: {data}\n\n");

        var model = "claude-sonnet-4-20250514";
        var (tokens, prompt, cached) = reply switch
        {
            StreamReply s => (s.Tokens, s.PromptTokens, s.CachedTokens),
            ErrorEventReply e => (e.TokensBefore, 10, 0),
            _ => throw new NotSupportedException(reply.GetType().Name),
        };
        await Event("message_start", $$"""{"type":"message_start","message":{"id":"msg_fake1","type":"message","role":"assistant","model":"{{model}}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{prompt - cached}},"cache_creation_input_tokens":0,"cache_read_input_tokens":{{cached}},"output_tokens":1} } }""");
        await Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        await Event("ping", """{"type": "ping"}""");
        var stream = reply as StreamReply;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (stream?.DropAfter == i) { await DropAsync(ctx); return; }
            if (stream?.HangAfter == i) { await HangAsync(ctx); return; }
            await Event("content_block_delta", $$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":{{JsonSerializer.Serialize(tokens[i])}} } }""");
            MarkStreamStarted();
        }
        if (reply is ErrorEventReply err)
        {
            await Event("error", ErrorBody(err.ErrorType, err.Message));
            return;
        }
        var s2 = stream!;
        if (s2.DropAfter == tokens.Count) { await DropAsync(ctx); return; }
        await Event("content_block_stop", """{"type":"content_block_stop","index":0}""");
        var stop = s2.Finish == "length" ? "max_tokens" : "end_turn";
        await Event("message_delta", $$"""{"type":"message_delta","delta":{"stop_reason":"{{stop}}","stop_sequence":null},"usage":{"output_tokens":{{s2.CompletionTokens ?? tokens.Count}} } }""");
        await Event("message_stop", """{"type":"message_stop"}""");
    }
}
