using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EditorAssist.Rpc.Framing;
using Nerdbank.Streams;

namespace EditorAssist.Testing.Rpc;

/// <summary>
/// The far end of an in-memory duplex pipe pair (Nerdbank.Streams): writes raw bytes (so tests can send malformed frames)
/// and reads whole frames back as JSON. Every wait is bounded so a broken server fails a test
/// instead of hanging it.
/// </summary>
public sealed class RawRpcPeer : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly IDuplexPipe _server;
    private readonly IDuplexPipe _client;
    private readonly FrameReader _reader;

    public RawRpcPeer(int maxMessageBytes = 64 * 1024 * 1024)
    {
        (_server, _client) = FullDuplexStream.CreatePipePair(new PipeOptions(pauseWriterThreshold: 0));
        _reader = new FrameReader(_client.Input, maxMessageBytes);
    }

    /// <summary>The server's end of the pair.</summary>
    public IDuplexPipe ServerPipe => _server;

    /// <summary>What the server reads.</summary>
    public PipeReader ServerInput => _server.Input;

    /// <summary>What the server writes.</summary>
    public PipeWriter ServerOutput => _server.Output;

    public async Task SendRawAsync(byte[] bytes)
    {
        await _client.Output.WriteAsync(bytes);
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];
    }

    public Task SendAsync(string json) => SendRawAsync(Frame(json));

    public Task SendAsync(JsonNode message) => SendAsync(message.ToJsonString());

    public Task RequestAsync(object id, string method, JsonNode? @params = null)
    {
        var msg = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonNode.Parse(JsonSerializer.Serialize(id)), ["method"] = method };
        if (@params is not null) msg["params"] = @params;
        return SendAsync(msg);
    }

    public Task NotifyAsync(string method, JsonNode? @params = null)
    {
        var msg = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (@params is not null) msg["params"] = @params;
        return SendAsync(msg);
    }

    public async Task InitializeAsync()
    {
        await RequestAsync(0, "initialize", new JsonObject { ["clientInfo"] = new JsonObject { ["name"] = "test" } });
        var answer = await ReceiveAsync();
        if (answer.ContainsKey("error")) throw new InvalidOperationException($"initialize failed: {answer}");
    }

    /// <summary>The next frame from the server, or null at the end of its output.</summary>
    public async Task<JsonObject?> TryReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        using var frame = await _reader.ReadAsync(cts.Token);
        if (frame.Kind == FrameKind.EndOfStream) return null;
        if (frame.Kind != FrameKind.Message) throw new InvalidOperationException($"Unexpected frame {frame.Kind}");
        return JsonNode.Parse(frame.Body.Span)!.AsObject();
    }

    public async Task<JsonObject> ReceiveAsync(TimeSpan? timeout = null) =>
        await TryReceiveAsync(timeout) ?? throw new EndOfStreamException("The server closed its output.");

    /// <summary>Receives until a response with the given id arrives; other messages go to <paramref name="others"/>.</summary>
    public async Task<JsonObject> ReceiveResponseAsync(object id, List<JsonObject>? others = null)
    {
        var want = JsonSerializer.Serialize(id);
        while (true)
        {
            var msg = await ReceiveAsync();
            if (msg.ContainsKey("id") && msg["method"] is null && (msg["id"]?.ToJsonString() ?? "null") == want) return msg;
            others?.Add(msg);
        }
    }

    public void CompleteInput() => _client.Output.Complete();

    public async ValueTask DisposeAsync()
    {
        await _client.Output.CompleteAsync();
        await _client.Input.CompleteAsync();
    }
}
