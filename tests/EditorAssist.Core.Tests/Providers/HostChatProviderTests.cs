using System.Runtime.CompilerServices;
using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Host;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Core.Tools;

namespace EditorAssist.Core.Tests.Providers;

public class HostChatProviderTests
{
    /// <summary>Plays the extension: answers each request with the next scripted step, and records what it was asked.</summary>
    private sealed class ScriptedBridge(params Func<HostModel, ChatRequest, IEnumerable<ChatChunk>>[] steps) : IHostChatBridge
    {
        public readonly List<(HostModel Model, ChatRequest Request)> Calls = [];
        public CancellationToken LastToken;

        public async IAsyncEnumerable<ChatChunk> StreamChatAsync(HostModel model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Calls.Add((model, request));
            LastToken = cancellationToken;
            await Task.Yield();
            foreach (var chunk in steps[Math.Min(Calls.Count, steps.Length) - 1](model, request))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return chunk;
            }
        }
    }

    private static IEnumerable<ChatChunk> Answer(params string[] tokens) =>
        tokens.Select(ChatChunk.Text).Append(ChatChunk.Done(new ChatFinal { FinishReason = FinishReasons.Stop }));

    private static readonly HostModel Fake = new("fakevendor", "fake-1", "Fake One", "fake-family", "1.0", 8000, true);

    private static (TestBed Bed, HostChatProvider Host) Bed(IHostChatBridge? bridge, params HostModel[] models)
    {
        var host = new HostChatProvider();
        host.Attach(bridge);
        host.SetModels(models);
        return (new TestBed(sqlite: true, extra: [new FakeLocalProvider(), host]), host);
    }

    private static ChatSendRequest Request(string? model) => new() { Model = model, Messages = [new("user", "Hello?")] };

    [Fact]
    public async Task Lists_the_editors_models_by_vendor_and_never_its_own()
    {
        var host = new HostChatProvider();
        Assert.True(host.SetModels([Fake, new HostModel("EditorAssist", "local/tiny", "Tiny", "gguf"), Fake with { Name = "Duplicate" }]));
        Assert.False(host.SetModels([Fake]));
        using var bed = new TestBed(extra: [host]);
        var listed = await bed.Discovery.ListAsync("host", refresh: false, default);
        var m = Assert.Single(listed.Models);
        Assert.Equal("fakevendor/fake-1", m.Id);
        Assert.Equal("Fake One", m.DisplayName);
        Assert.Equal(8000, m.ContextLength);
        Assert.Equal(new HostModelDetails("fakevendor", "fake-family", "1.0", true), m.Host);
        Assert.Equal(ModelSource.Api, listed.Source);
        // Never cached: a later empty list is the answer, not an old one.
        host.SetModels([]);
        Assert.Empty((await bed.Discovery.ListAsync("host", refresh: false, default)).Models);
    }

    [Fact]
    public async Task Is_cloud_and_says_why_it_is_unavailable()
    {
        var host = new HostChatProvider();
        using var bed = new TestBed(extra: [host]);
        Assert.Equal(PrivacyClass.Cloud, bed.Context("host").Privacy);
        Assert.Equal(ProviderKind.Remote, host.Descriptor.Kind);
        Assert.Contains("vscode.lm", (await host.CheckAsync(bed.Context("host"), default)).Reason);
        host.Attach(new ScriptedBridge());
        Assert.Contains("no chat models", (await host.CheckAsync(bed.Context("host"), default)).Reason);
        host.SetModels([Fake]);
        Assert.Equal(Availability.Readily, (await host.CheckAsync(bed.Context("host"), default)).Availability);
        Assert.Throws<ArgumentException>(() => bed.Registry.Configure("host", "https://example.com", null));
    }

    [Fact]
    public async Task A_chosen_host_model_streams_through_the_bridge_with_its_cancellation_token()
    {
        var bridge = new ScriptedBridge((_, _) => Answer("Hel", "lo"));
        var (bed, _) = Bed(bridge, Fake);
        using var _bed = bed;
        using var cts = new CancellationTokenSource();
        var deltas = new List<string>();
        var result = await bed.Router.SendAsync(Request("host/fakevendor/fake-1"), deltas.Add, cts.Token);
        Assert.Equal(["Hel", "lo"], deltas);
        Assert.Equal("host/fakevendor/fake-1", result.Model);
        Assert.Equal(PrivacyClass.Cloud, result.Privacy);
        Assert.Equal(Fake, bridge.Calls.Single().Model);
        Assert.Equal("fakevendor/fake-1", bridge.Calls.Single().Request.Model);
        Assert.True(bridge.LastToken.CanBeCanceled, "Stop must reach the editor's request");
    }

    [Fact]
    public async Task Local_only_refuses_a_host_model_before_anything_is_sent()
    {
        var bridge = new ScriptedBridge((_, _) => Answer("no"));
        var (bed, _) = Bed(bridge, Fake);
        using var _bed = bed;
        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.LocalOnly });
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => bed.Router.SendAsync(Request("host/fakevendor/fake-1"), _ => { }, default));
        Assert.Equal(ErrorCode.PolicyViolation, ex.Code);
        Assert.Empty(bridge.Calls);
    }

    [Fact]
    public async Task HostFirst_asks_the_editor_first_and_preferLocal_never_unasked()
    {
        var bridge = new ScriptedBridge((_, _) => Answer("from ", "vscode"));
        var (bed, _) = Bed(bridge, Fake);
        using var _bed = bed;
        Assert.Equal("local/tiny-q8_0", (await bed.Router.SendAsync(Request(null), _ => { }, default)).Model);
        Assert.Empty(bridge.Calls);

        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.HostFirst });
        Assert.Equal(["host", "local"], bed.Router.Ordered(bed.State.GetRouterPolicy()).Take(2).Select(p => p.Descriptor.Id));
        var result = await bed.Router.SendAsync(Request(null), _ => { }, default);
        Assert.Equal("host/fakevendor/fake-1", result.Model);
        Assert.Equal("from vscode", result.Content);
    }

    [Fact]
    public async Task HostFirst_falls_back_to_local_when_the_editor_has_no_model_or_access_is_declined()
    {
        var (empty, _) = Bed(new ScriptedBridge(), []);
        using (empty)
        {
            empty.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.HostFirst });
            Assert.Equal("local/tiny-q8_0", (await empty.Router.SendAsync(Request(null), _ => { }, default)).Model);
        }

        // The extension answers the editor's NoPermissions as 1003 (ClientHostBridge keeps the code).
        var declined = new ScriptedBridge((_, _) => throw new EditorAssistException(ErrorCode.ProviderUnavailable, "The user declined access.")
        { Details = new Dictionary<string, object?> { ["cause"] = "noPermissions" } });
        var (bed, _) = Bed(declined, Fake);
        using var _bed = bed;
        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.HostFirst });
        var result = await bed.Router.SendAsync(Request(null), _ => { }, default);
        Assert.Equal("local/tiny-q8_0", result.Model);
        Assert.Equal("host", Assert.Single(result.FellBackFrom).ProviderId);
        // A model that went away since it was chosen falls back too.
        var gone = await bed.Router.SendAsync(Request("host/fakevendor/gone"), _ => { }, default);
        Assert.Equal("local/tiny-q8_0", gone.Model);
    }

    [Fact]
    public async Task Tool_calls_pass_through_and_results_go_back_to_the_model()
    {
        var bridge = new ScriptedBridge(
            (_, r) => [ChatChunk.Call(new ToolCallRequest("call-1", "read_file", "{\"path\":\"a.txt\"}")), ChatChunk.Done(new ChatFinal { FinishReason = FinishReasons.ToolCalls })],
            (_, r) => Answer("the file says ", r.Messages[^1].Content));
        var (bed, _) = Bed(bridge, Fake);
        using var _bed = bed;
        var tools = new ToolTurn
        {
            Tools = [new ToolDefinition("read_file", "Reads a file", "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}")],
            Executor = new Executor(),
        };
        var result = await bed.Router.SendAsync(Request("host/fakevendor/fake-1") with { Tools = tools }, _ => { }, default);
        Assert.Equal("the file says hi", result.Content);
        Assert.Equal(2, result.Steps);
        Assert.Equal("read_file", Assert.Single(bridge.Calls[0].Request.Tools).Name);
        var second = bridge.Calls[1].Request.Messages;
        Assert.Equal("call-1", Assert.Single(second[^2].ToolCalls!).Id);
        Assert.Equal(("tool", "call-1"), (second[^1].Role, second[^1].ToolCallId));
    }

    [Fact]
    public async Task A_model_that_cannot_call_tools_gets_a_plain_chat()
    {
        var bridge = new ScriptedBridge((_, _) => Answer("plain"));
        var (bed, _) = Bed(bridge, Fake with { ToolCalling = false });
        using var _bed = bed;
        var tools = new ToolTurn { Tools = [new ToolDefinition("read_file", "", "{}")], Executor = new Executor() };
        await bed.Router.SendAsync(Request("host/fakevendor/fake-1") with { Tools = tools }, _ => { }, default);
        Assert.Empty(bridge.Calls.Single().Request.Tools);
    }

    [Fact]
    public async Task A_long_conversation_is_fitted_into_the_models_max_input_tokens()
    {
        var bridge = new ScriptedBridge((_, _) => Answer("ok"));
        var (bed, _) = Bed(bridge, Fake with { MaxInputTokens = 1000 });
        using var _bed = bed;
        var old = Enumerable.Range(0, 20).SelectMany(i => new ChatMessage[] { new("user", new string('q', 600)), new("assistant", new string('a', 600)) });
        var request = new ChatSendRequest { Model = "host/fakevendor/fake-1", Messages = [.. old, new("user", "the newest")] };
        var result = await bed.Router.SendAsync(request, _ => { }, default);
        Assert.True(result.TrimmedMessages > 30, $"trimmed {result.TrimmedMessages}");
        Assert.Equal(1000, result.ContextLength);
        Assert.Equal("the newest", bridge.Calls.Single().Request.Messages[^1].Content);
    }

    private sealed class Executor : IToolExecutor
    {
        public Task<ToolResult> InvokeAsync(ToolCallRequest call, JsonElement arguments, CancellationToken cancellationToken) =>
            Task.FromResult(new ToolResult(arguments.GetProperty("path").GetString() == "a.txt" ? "hi" : "?"));
    }
}
