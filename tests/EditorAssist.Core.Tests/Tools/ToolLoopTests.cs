using System.Runtime.CompilerServices;
using System.Text.Json;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.OpenAi;
using EditorAssist.Core.Tools;

namespace EditorAssist.Core.Tests.Tools;

public class ToolLoopTests
{
    private static readonly ToolDefinition Read = new("read_file", "Reads a file.", "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}");

    /// <summary>A provider whose every step is scripted; it records the messages of each step.</summary>
    private sealed class ScriptedProvider(params Func<ChatRequest, (string? Text, ToolCallRequest[] Calls)>[] steps) : IChatProvider
    {
        public List<ChatRequest> Requests { get; } = [];

        public ProviderDescriptor Descriptor { get; } = new() { Id = "scripted", DisplayName = "Scripted", Kind = ProviderKind.Remote, Api = ProviderApi.Openai, Capabilities = new ProviderCapabilities { Chat = true, Tools = true } };

        public Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken) => Task.FromResult(new ProviderStatus(Availability.Readily));

        public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ModelInfo>>([]);

        public async IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Requests.Add(request);
            await Task.Yield();
            var (text, calls) = steps[Math.Min(Requests.Count - 1, steps.Length - 1)](request);
            if (text is not null) yield return ChatChunk.Text(text);
            foreach (var c in calls) yield return ChatChunk.Call(c);
            yield return ChatChunk.Done(new ChatFinal { FinishReason = calls.Length > 0 ? FinishReasons.ToolCalls : FinishReasons.Stop, Usage = new ChatUsage(3, 2) });
        }
    }

    private sealed class Executor(Func<ToolCallRequest, JsonElement, CancellationToken, Task<ToolResult>> run) : IToolExecutor
    {
        public List<(string Name, string Args)> Calls { get; } = [];

        public Task<ToolResult> InvokeAsync(ToolCallRequest call, JsonElement arguments, CancellationToken cancellationToken)
        {
            Calls.Add((call.Name, arguments.GetRawText()));
            return run(call, arguments, cancellationToken);
        }
    }

    private static ProviderContext Context(IChatProvider p) => new() { Descriptor = p.Descriptor };

    private static async Task<(List<ChatChunk> Chunks, ToolLoop Loop)> Run(IChatProvider provider, ToolTurn? turn, CancellationToken ct = default)
    {
        var loop = new ToolLoop(provider, Context(provider), new ChatRequest { Model = "m", Messages = [new("user", "go")] }, turn);
        var chunks = new List<ChatChunk>();
        await foreach (var c in loop.RunAsync(ct)) chunks.Add(c);
        return (chunks, loop);
    }

    [Fact]
    public async Task Runs_a_call_appends_call_and_result_and_asks_again()
    {
        var provider = new ScriptedProvider(
            _ => ("Let me look. ", [new ToolCallRequest("c1", "read_file", "{\"path\":\"a.txt\"}")]),
            r => ($"It says {r.Messages[^1].Content}", []));
        var statuses = new List<ToolStatusUpdate>();
        var exec = new Executor((_, _, _) => Task.FromResult(new ToolResult("hello")));
        var (chunks, loop) = await Run(provider, new ToolTurn { Tools = [Read], Executor = exec, OnStatus = statuses.Add });

        Assert.Equal("Let me look. It says hello", string.Concat(chunks.Select(c => c.Delta)));
        Assert.Equal(2, loop.Steps);
        Assert.Equal(new ChatUsage(6, 4), chunks[^1].Final!.Usage);
        Assert.Equal(FinishReasons.Stop, chunks[^1].Final!.FinishReason);
        Assert.Equal([ToolStates.Requested, ToolStates.Running, ToolStates.Done], statuses.Select(s => s.State));
        var second = provider.Requests[1].Messages;
        Assert.Equal("assistant", second[1].Role);
        Assert.Equal("c1", second[1].ToolCalls![0].Id);
        Assert.Equal(new ChatMessage("tool", "hello") { ToolCallId = "c1" }, second[2]);
        Assert.Equal([new ToolCallRecord("c1", "read_file", "{\"path\":\"a.txt\"}", "hello", false)], loop.Calls);
        Assert.Equal([Read], provider.Requests[0].Tools);
    }

    [Fact]
    public async Task Return_calls_ends_the_turn_with_the_calls_unrun()
    {
        var provider = new ScriptedProvider(_ => ("Checking. ", [new ToolCallRequest("c1", "read_file", "{\"path\":\"a.txt\"}"), new ToolCallRequest("c2", "read_file", "not json")]));
        var statuses = new List<ToolStatusUpdate>();
        var exec = new Executor((_, _, _) => Task.FromResult(new ToolResult("must not run")));
        var (chunks, loop) = await Run(provider, new ToolTurn { Tools = [Read], Executor = exec, OnStatus = statuses.Add, ReturnCalls = true });

        Assert.Empty(exec.Calls);
        Assert.Empty(statuses);
        Assert.Empty(loop.Calls);
        Assert.Equal(1, loop.Steps);
        Assert.Single(provider.Requests);
        Assert.Equal("Checking. ", string.Concat(chunks.Select(c => c.Delta)));
        Assert.DoesNotContain(chunks, c => c.ToolCall is not null); // nothing ran: the router may still fall back
        Assert.Equal(FinishReasons.ToolCalls, chunks[^1].Final!.FinishReason);
        Assert.Equal(["c1", "c2"], loop.Pending.Select(c => c.Id));
        Assert.Equal("not json", loop.Pending[1].ArgumentsJson);
    }

    [Fact]
    public async Task Without_a_turn_or_with_choice_none_no_tools_are_sent()
    {
        var provider = new ScriptedProvider(_ => ("plain", []));
        await Run(provider, null);
        await Run(provider, new ToolTurn { Tools = [Read], Choice = ToolChoice.None, Executor = new Executor((_, _, _) => throw new InvalidOperationException()) });
        Assert.All(provider.Requests, r => Assert.Empty(r.Tools));
    }

    [Fact]
    public async Task A_provider_without_tool_calling_gets_a_plain_chat()
    {
        var provider = new ScriptedProvider(_ => ("plain", []));
        provider.Descriptor.Capabilities = new ProviderCapabilities { Chat = true, Tools = false };
        var (_, loop) = await Run(provider, new ToolTurn { Tools = [Read], Executor = new Executor((_, _, _) => throw new InvalidOperationException()) });
        Assert.Empty(provider.Requests[0].Tools);
        Assert.Equal(1, loop.Steps);
    }

    [Fact]
    public async Task Failures_denials_bad_arguments_and_unknown_tools_go_back_to_the_model()
    {
        var provider = new ScriptedProvider(
            _ => (null, [
                new ToolCallRequest("1", "read_file", "{\"path\":\"x\"}"),
                new ToolCallRequest("2", "read_file", "[1,2]"),
                new ToolCallRequest("3", "rm_rf", "{}"),
                new ToolCallRequest("4", "read_file", "{\"path\":\"deny\"}"),
            ]),
            _ => ("done", []));
        var exec = new Executor((_, a, _) => a.GetProperty("path").GetString() == "deny"
            ? Task.FromResult(new ToolResult("denied by the user", true, Denied: true))
            : throw new IOException("disk on fire"));
        var statuses = new List<ToolStatusUpdate>();
        var (_, loop) = await Run(provider, new ToolTurn { Tools = [Read], Executor = exec, OnStatus = statuses.Add });

        Assert.Equal(2, exec.Calls.Count); // 2 (not an object) and 3 (unknown) never reach the executor
        Assert.Equal([ToolStates.Failed, ToolStates.Failed, ToolStates.Failed, ToolStates.Denied], statuses.Where(s => s.State is not (ToolStates.Requested or ToolStates.Running)).Select(s => s.State));
        Assert.All(loop.Calls, c => Assert.True(c.IsError));
        var results = provider.Requests[1].Messages.Where(m => m.Role == "tool").ToList();
        Assert.Contains("disk on fire", results[0].Content);
        Assert.Contains("not a valid JSON object", results[1].Content);
        Assert.Contains("no tool named 'rm_rf'", results[2].Content);
        Assert.Equal("denied by the user", results[3].Content);
        Assert.All(results, r => Assert.True(r.IsError));
    }

    [Fact]
    public async Task The_step_limit_ends_the_turn_without_running_the_last_calls()
    {
        var provider = new ScriptedProvider(_ => (null, [new ToolCallRequest(Guid.NewGuid().ToString(), "read_file", "{}")]));
        var exec = new Executor((_, _, _) => Task.FromResult(new ToolResult("r")));
        var (chunks, loop) = await Run(provider, new ToolTurn { Tools = [Read], Executor = exec, MaxSteps = 4 });
        Assert.Equal(FinishReasons.StepLimit, chunks[^1].Final!.FinishReason);
        Assert.Equal(4, loop.Steps);
        Assert.Equal(3, exec.Calls.Count);
    }

    [Fact]
    public async Task A_forced_tool_is_forced_on_the_first_step_only()
    {
        var provider = new ScriptedProvider(_ => (null, [new ToolCallRequest("c", "read_file", "{}")]), _ => ("ok", []));
        await Run(provider, new ToolTurn { Tools = [Read], Choice = ToolChoice.Tool("read_file"), Executor = new Executor((_, _, _) => Task.FromResult(new ToolResult("r"))) });
        Assert.Equal("read_file", provider.Requests[0].ToolChoice.Name);
        Assert.Equal(ToolChoice.Auto, provider.Requests[1].ToolChoice);
    }

    [Fact]
    public async Task Cancelling_while_a_tool_runs_cancels_the_tool_and_ends_the_loop()
    {
        var provider = new ScriptedProvider(_ => (null, [new ToolCallRequest("c", "read_file", "{}")]));
        using var cts = new CancellationTokenSource();
        var toolSawCancel = false;
        var exec = new Executor(async (_, _, ct) =>
        {
            cts.Cancel();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { toolSawCancel = true; throw; }
            return new ToolResult("never");
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(provider, new ToolTurn { Tools = [Read], Executor = exec }, cts.Token));
        Assert.True(toolSawCancel);
        Assert.Single(provider.Requests);
    }

    [Fact]
    public async Task Long_results_are_cut_with_a_note()
    {
        var provider = new ScriptedProvider(_ => (null, [new ToolCallRequest("c", "read_file", "{}")]), _ => ("ok", []));
        var exec = new Executor((_, _, _) => Task.FromResult(new ToolResult(new string('x', ToolTurn.MaxResultChars + 10))));
        var (_, loop) = await Run(provider, new ToolTurn { Tools = [Read], Executor = exec });
        Assert.EndsWith("characters]", loop.Calls[0].Result);
        Assert.True(loop.Calls[0].Result.Length < ToolTurn.MaxResultChars + 100);
    }

    [Fact]
    public void The_openai_assembler_joins_fragments_by_index_and_tolerates_missing_indexes()
    {
        var a = new OpenAiToolCallAssembler();
        a.Add(0, "call_a", "read_file", "{\"pa");
        a.Add(1, "call_b", "list_files", "{}");
        a.Add(0, null, null, "th\":\"x\"}");
        Assert.Equal([new ToolCallRequest("call_a", "read_file", "{\"path\":\"x\"}"), new ToolCallRequest("call_b", "list_files", "{}")], a.Complete());

        var b = new OpenAiToolCallAssembler();
        b.Add(null, "id1", "f", "{\"a\":");
        b.Add(null, null, null, "1}");
        b.Add(null, "id2", "g", null);
        Assert.Equal([new ToolCallRequest("id1", "f", "{\"a\":1}"), new ToolCallRequest("id2", "g", "")], b.Complete());
    }
}
