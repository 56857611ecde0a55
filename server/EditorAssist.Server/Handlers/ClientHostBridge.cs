using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Host;
using EditorAssist.Rpc;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// The editor's models over JSON-RPC: the server → client request <c>host/chat</c>, whose text comes back
/// as <c>host/delta</c> notifications, as <c>chat/toolCall</c> runs a tool in the extension. Cancelling
/// (Stop) sends <c>$/cancelRequest</c>, which the extension turns into the vscode.lm request's
/// CancellationToken.
/// </summary>
/// <remarks>
/// Ordering: the answer to <c>host/chat</c> is matched on the connection's reader, while client
/// notifications are handled one at a time from a queue, so the answer can overtake the last deltas.
/// The answer therefore says how many deltas were sent, and the stream ends only when that many have
/// arrived (or, should the client have miscounted, after <see cref="LateDeltaWait"/>).
/// </remarks>
internal sealed class ClientHostBridge(JsonRpcConnection connection, ILogger? logger = null) : IHostChatBridge
{
    /// <summary>How long the stream waits for deltas the answer announced but the queue has not handed over.</summary>
    public static TimeSpan LateDeltaWait { get; set; } = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Channel<string>> _streams = new(StringComparer.Ordinal);
    private long _next;

    /// <summary>A <c>host/delta</c> arrived; deltas of a finished or unknown stream are dropped.</summary>
    public void OnDelta(HostDeltaDto delta)
    {
        if (delta.StreamId is { } id && _streams.TryGetValue(id, out var channel) && delta.Delta is { } text)
            channel.Writer.TryWrite(text);
    }

    public async IAsyncEnumerable<ChatChunk> StreamChatAsync(HostModel model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var streamId = $"host-{Interlocked.Increment(ref _next)}";
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
        _streams[streamId] = channel;
        try
        {
            var json = HostProtocolJson.Default;
            var answer = connection.SendRequestAsync(HostMethods.HostChat, ToParams(streamId, model, request), json.HostChatParams, json.HostChatResultDto, cancellationToken);
            var received = 0;
            HostChatResultDto? result = null;
            Task<bool>? waiting = null;
            while (true)
            {
                while (channel.Reader.TryRead(out var text))
                {
                    received++;
                    if (text.Length > 0) yield return ChatChunk.Text(text);
                }
                if (result is not null && received >= result.Deltas) break;
                waiting ??= channel.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (result is null)
                {
                    if (await Task.WhenAny(waiting, answer).ConfigureAwait(false) == answer)
                    {
                        result = await AnswerAsync(answer, model).ConfigureAwait(false);
                        continue;
                    }
                }
                else if (await Task.WhenAny(waiting, Task.Delay(LateDeltaWait, cancellationToken)).ConfigureAwait(false) != waiting)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    logger?.LogWarning("host/chat answered {Expected} deltas but {Received} arrived; ending the stream.", result.Deltas, received);
                    break;
                }
                await waiting.ConfigureAwait(false);
                waiting = null;
            }

            var calls = result.ToolCalls ?? [];
            foreach (var call in calls) yield return ChatChunk.Call(new ToolCallRequest(call.CallId, call.Name, call.Input.ValueKind == JsonValueKind.Undefined ? "{}" : call.Input.GetRawText()));
            var finish = result.FinishReason switch
            {
                "length" => FinishReasons.Length,
                _ when calls.Count > 0 => FinishReasons.ToolCalls,
                _ => FinishReasons.Stop,
            };
            // vscode.lm reports no token usage; counting would cost a countTokens call per message.
            yield return ChatChunk.Done(new ChatFinal { FinishReason = finish, Model = $"{HostChatProvider.ProviderId}/{model.ModelId}" });
        }
        finally
        {
            _streams.TryRemove(streamId, out _);
        }
    }

    /// <summary>The client's answer, or its error as a PROTOCOL.md code (1001–1017 kept; anything else 1003, so routing may fall back).</summary>
    private static async Task<HostChatResultDto> AnswerAsync(Task<HostChatResultDto> answer, HostModel model)
    {
        try
        {
            return await answer.ConfigureAwait(false) ?? new HostChatResultDto();
        }
        catch (RemoteRpcException ex) when (ex.Code != ErrorCodes.RequestCancelled)
        {
            var code = ex.Code is >= 1001 and <= 1017 ? (ErrorCode)ex.Code : ErrorCode.ProviderUnavailable;
            var reason = ex.Code == ErrorCodes.MethodNotFound
                ? "This version of the extension cannot use VS Code's models."
                : ex.Message;
            throw new EditorAssistException(code, $"{model.Name} ({model.Vendor}, through VS Code): {reason}")
            {
                Details = new Dictionary<string, object?>
                {
                    ["providerId"] = HostChatProvider.ProviderId,
                    ["vendor"] = model.Vendor,
                    ["cause"] = ex.ErrorData is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("cause", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
                },
            };
        }
        catch (ConnectionClosedException ex)
        {
            throw new EditorAssistException(ErrorCode.ProviderUnavailable, $"The editor went away while {model.Name} answered: {ex.Message}");
        }
    }

    private static HostChatParams ToParams(string streamId, HostModel model, ChatRequest request)
    {
        var messages = request.Messages.Select(m => new HostMessageDto
        {
            Role = m.Role,
            Content = m.Content,
            ToolCalls = m.ToolCalls is { Count: > 0 } calls ? calls.Select(c => new HostToolCallDto(c.Id, c.Name, ObjectOf(c.ArgumentsJson))).ToList() : null,
            ToolCallId = m.ToolCallId,
            IsError = m.IsError ? true : null,
        }).ToList();
        IReadOnlyList<HostToolDto>? tools = null;
        string? mode = null;
        if (request.Tools.Count > 0 && !request.ToolChoice.IsNone)
        {
            // vscode.lm has no "call this tool": a forced tool is offered alone with toolMode required.
            var offered = request.ToolChoice.Mode == "tool" ? request.Tools.Where(t => t.Name == request.ToolChoice.Name) : request.Tools;
            tools = offered.Select(t => new HostToolDto(t.Name, t.Description, ObjectOf(t.ParametersJson))).ToList();
            mode = request.ToolChoice.Mode == "tool" ? "required" : "auto";
        }
        return new HostChatParams { StreamId = streamId, Model = new HostModelRefDto(model.Vendor, model.Id), Messages = messages, Tools = tools, ToolMode = mode };
    }

    /// <summary>A JSON object from text; anything else (a model's unparsable arguments) becomes <c>{}</c>, since vscode.lm takes an object.</summary>
    private static JsonElement ObjectOf(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }
}
