using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using EditorAssist.Core.Providers;

namespace EditorAssist.Core.Tools;

/// <summary>Runs one tool call somewhere else (the extension over JSON-RPC, an MCP server…).</summary>
public interface IToolExecutor
{
    /// <summary>
    /// Runs <paramref name="call"/> with its parsed <paramref name="arguments"/> (always a JSON object).
    /// Cancelling the token cancels the running tool (Stop). Throwing means the tool failed; the loop
    /// tells the model so and goes on.
    /// </summary>
    Task<ToolResult> InvokeAsync(ToolCallRequest call, JsonElement arguments, CancellationToken cancellationToken);
}

/// <summary>What a tool returned. <see cref="Denied"/>: the user refused it (also an error for the model).</summary>
public sealed record ToolResult(string Content, bool IsError = false, bool Denied = false);

/// <summary>The states of <c>chat/toolStatus</c> (PROTOCOL.md).</summary>
public static class ToolStates
{
    public const string Requested = "requested";
    public const string Running = "running";
    public const string Done = "done";
    public const string Denied = "denied";
    public const string Failed = "failed";
}

/// <summary>A change of one tool call's state, for <c>chat/toolStatus</c>.</summary>
public sealed record ToolStatusUpdate(string CallId, string Name, string State, string? Arguments = null, string? Result = null);

/// <summary>One call made during a turn, as <c>chat/send</c> reports it.</summary>
public sealed record ToolCallRecord(string Id, string Name, string Arguments, string Result, bool IsError);

/// <summary>The tool side of a <c>chat/send</c>: the tools offered, the choice, the step limit, who runs them.</summary>
public sealed record ToolTurn
{
    public const int DefaultMaxSteps = 20;
    /// <summary>A tool result longer than this is cut (with a note) before it goes back to the model.</summary>
    public const int MaxResultChars = 64 * 1024;

    public required IReadOnlyList<ToolDefinition> Tools { get; init; }
    public ToolChoice Choice { get; init; } = ToolChoice.Auto;
    /// <summary>Model calls allowed in one turn; the turn ends with <c>stepLimit</c> when the last one still asks for tools.</summary>
    public int MaxSteps { get; init; } = DefaultMaxSteps;
    public required IToolExecutor Executor { get; init; }
    /// <summary>
    /// The caller runs the tools itself (VS Code's language-model API does): the model's calls end the
    /// turn (finish <c>toolCalls</c>, <see cref="ToolLoop.Pending"/>) instead of going to the executor.
    /// </summary>
    public bool ReturnCalls { get; init; }
    public Action<ToolStatusUpdate> OnStatus { get; init; } = _ => { };
}

/// <summary>
/// The agent loop of one turn over one provider: ask the model; if it called tools, run each (in order)
/// through the <see cref="IToolExecutor"/>, append the calls and their results to the conversation and
/// ask again; stop when the model answers without a tool call, at the step limit, or on cancellation.
/// It yields what the router streams: text deltas, one <see cref="ChatChunk.Call"/> per call it runs
/// (the router treats that as "the turn is committed": no fallback to another provider after a tool
/// may have had effects), and one final chunk whose usage sums every step.
/// </summary>
public sealed class ToolLoop(IChatProvider provider, ProviderContext context, ChatRequest request, ToolTurn? turn)
{
    private readonly List<ToolCallRecord> _calls = [];

    /// <summary>The calls run so far (in order), with their results.</summary>
    public IReadOnlyList<ToolCallRecord> Calls => _calls;

    /// <summary>With <see cref="ToolTurn.ReturnCalls"/>: the calls of the last step, not run, for the caller.</summary>
    public IReadOnlyList<ToolCallRequest> Pending { get; private set; } = [];

    /// <summary>Model calls made so far.</summary>
    public int Steps { get; private set; }

    public async IAsyncEnumerable<ChatChunk> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var messages = request.Messages.ToList();
        // A provider whose API has no tool calling (Perplexity) gets a plain chat rather than a 400.
        var step = turn is null || turn.Choice.IsNone || !provider.Descriptor.Capabilities.Tools
            ? request with { Tools = [], ToolChoice = ToolChoice.None }
            : request with { Tools = turn.Tools, ToolChoice = turn.Choice };
        int prompt = 0, completion = 0, cached = 0;
        while (true)
        {
            Steps++;
            var text = new StringBuilder();
            var calls = new List<ToolCallRequest>();
            ChatFinal? final = null;
            await foreach (var chunk in provider.StreamChatAsync(context, step with { Messages = messages }, cancellationToken).ConfigureAwait(false))
            {
                if (chunk.Delta is { Length: > 0 } delta)
                {
                    text.Append(delta);
                    yield return chunk;
                }
                // Thinking is streamed to the user; it is not part of the text the conversation goes on with.
                if (chunk.Reasoning is { Length: > 0 }) yield return chunk;
                if (chunk.ToolCall is { } call) calls.Add(call);
                if (chunk.Final is { } f) final = f;
            }
            if (final?.Usage is { } u)
            {
                prompt += u.PromptTokens;
                completion += u.CompletionTokens;
                cached += u.CachedTokens;
            }
            var usage = new ChatUsage(prompt, completion, cached);
            if (calls.Count == 0 || turn is null)
            {
                var finish = final?.FinishReason is null or FinishReasons.ToolCalls ? FinishReasons.Stop : final.FinishReason;
                yield return ChatChunk.Done(new ChatFinal { FinishReason = finish, Usage = usage, Model = final?.Model });
                yield break;
            }
            if (turn.ReturnCalls)
            {
                Pending = calls;
                yield return ChatChunk.Done(new ChatFinal { FinishReason = FinishReasons.ToolCalls, Usage = usage, Model = final?.Model });
                yield break;
            }
            if (Steps >= turn.MaxSteps)
            {
                // The calls of the last allowed step are not run: the user sees that the limit ended the turn.
                foreach (var call in calls)
                    turn.OnStatus(new ToolStatusUpdate(call.Id, call.Name, ToolStates.Failed, call.ArgumentsJson, $"not run: the step limit ({turn.MaxSteps}) was reached"));
                yield return ChatChunk.Done(new ChatFinal { FinishReason = FinishReasons.StepLimit, Usage = usage, Model = final?.Model });
                yield break;
            }

            messages.Add(new ChatMessage("assistant", text.ToString()) { ToolCalls = calls, ReasoningBlocks = final?.ReasoningBlocks });
            foreach (var call in calls)
            {
                yield return ChatChunk.Call(call);
                var result = await RunOneAsync(call, cancellationToken).ConfigureAwait(false);
                messages.Add(new ChatMessage("tool", result.Content) { ToolCallId = call.Id, IsError = result.IsError || result.Denied });
            }
            // A forced tool is forced once; afterwards the model decides (else it would call it forever).
            if (step.ToolChoice.Mode == "tool") step = step with { ToolChoice = ToolChoice.Auto };
        }
    }

    private async Task<ToolResult> RunOneAsync(ToolCallRequest call, CancellationToken cancellationToken)
    {
        var t = turn!;
        var argsText = string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson;
        t.OnStatus(new ToolStatusUpdate(call.Id, call.Name, ToolStates.Requested, argsText));

        ToolResult result;
        if (!t.Tools.Any(d => d.Name == call.Name))
        {
            result = new ToolResult($"There is no tool named '{call.Name}'. Available tools: {string.Join(", ", t.Tools.Select(d => d.Name))}.", IsError: true);
        }
        else if (ParseArguments(argsText) is not { } args)
        {
            result = new ToolResult("The arguments were not a valid JSON object; call the tool again with a JSON object that matches its parameters.", IsError: true);
        }
        else
        {
            using (args)
            {
                t.OnStatus(new ToolStatusUpdate(call.Id, call.Name, ToolStates.Running, argsText));
                try
                {
                    result = await t.Executor.InvokeAsync(call, args.RootElement, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    t.OnStatus(new ToolStatusUpdate(call.Id, call.Name, ToolStates.Failed, argsText, "cancelled"));
                    _calls.Add(new ToolCallRecord(call.Id, call.Name, argsText, "cancelled", true));
                    throw;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The message is the executor's own (the client's error text); it is shown and sent to the model.
                    result = new ToolResult($"The tool failed: {ex.Message}", IsError: true);
                }
            }
        }

        var content = result.Content.Length > ToolTurn.MaxResultChars
            ? result.Content[..ToolTurn.MaxResultChars] + $"\n[… cut: the result had {result.Content.Length} characters]"
            : result.Content;
        result = result with { Content = content };
        var state = result.Denied ? ToolStates.Denied : result.IsError ? ToolStates.Failed : ToolStates.Done;
        t.OnStatus(new ToolStatusUpdate(call.Id, call.Name, state, argsText, Summary(content)));
        _calls.Add(new ToolCallRecord(call.Id, call.Name, argsText, content, result.IsError || result.Denied));
        return result;
    }

    /// <summary>The start of a result, for status notifications (the full text is in the chat/send result).</summary>
    private static string Summary(string content) => content.Length <= 200 ? content : content[..200] + "…";

    private static JsonDocument? ParseArguments(string text)
    {
        try
        {
            var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
            doc.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
