using EditorAssist.Core.Errors;
using System.Collections.Concurrent;
using EditorAssist.Core.Local;

namespace EditorAssist.Llama.Tests;

public sealed class LocalModelManagerTests
{
    private static readonly LocalModelOptions Cpu = new() { GpuLayers = 0, ContextLength = 256, Threads = 1 };
    private static readonly GenerationRequest Small = new() { Prompt = "hi", Options = new() { Temperature = 0, MaxTokens = 2, IgnoreEndOfGeneration = true } };

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (LocalModelManager Manager, ConcurrentQueue<(string Key, LocalModelState State)> Events) Create(TimeSpan? idle = null, TimeProvider? time = null)
    {
        var m = new LocalModelManager(LlamaTestEnvironment.Runtime, idle, time);
        var events = new ConcurrentQueue<(string, LocalModelState)>();
        m.StateChanged += (k, s, _) => events.Enqueue((k, s));
        return (m, events);
    }

    [Fact]
    public async Task Loading_the_same_key_twice_shares_one_model_and_reports_states()
    {
        var (mgr, events) = Create();
        await using var _ = mgr;
        var a = mgr.LoadAsync("local/tiny", LlamaTestEnvironment.TinyModelPath, Cpu);
        var b = mgr.LoadAsync("local/tiny", LlamaTestEnvironment.TinyModelPath, Cpu);
        Assert.Same(await a, await b);
        var status = mgr.GetStatus("local/tiny");
        Assert.True(status.Loaded);
        Assert.Equal(LocalModelState.Ready, status.State);
        Assert.Equal(["local/tiny"], mgr.LoadedKeys);
        Assert.Equal([LocalModelState.Loading, LocalModelState.Ready], events.Select(e => e.State));

        await mgr.GenerateAsync("local/tiny", Small);
        Assert.Equal([LocalModelState.Loading, LocalModelState.Ready, LocalModelState.Generating, LocalModelState.Ready], events.Select(e => e.State));

        Assert.True(await mgr.UnloadAsync("local/tiny"));
        Assert.False(await mgr.UnloadAsync("local/tiny"));
        Assert.False(mgr.GetStatus("local/tiny").Loaded);
        Assert.Equal(LocalModelState.Unloaded, events.Last().State);
    }

    [Fact]
    public async Task An_inline_completion_marks_the_model_used_without_a_state_pair()
    {
        var (mgr, events) = Create();
        await using var _ = mgr;
        var used = new ConcurrentQueue<string>();
        mgr.Used += used.Enqueue;
        await mgr.LoadAsync("local/tiny", LlamaTestEnvironment.TinyModelPath, Cpu);

        await mgr.GenerateAsync("local/tiny", Small with { Lane = GenerationLane.Completion });
        // Every keystroke generates: no generating/ready pair goes out for it, but it counts as a use.
        Assert.Equal([LocalModelState.Loading, LocalModelState.Ready], events.Select(e => e.State));
        Assert.Equal(["local/tiny"], used);

        await mgr.GenerateAsync("local/tiny", Small);
        Assert.Equal([LocalModelState.Loading, LocalModelState.Ready, LocalModelState.Generating, LocalModelState.Ready], events.Select(e => e.State));
        Assert.Equal(["local/tiny", "local/tiny"], used);
    }

    [Fact]
    public async Task Changing_options_reloads_and_unloads_the_old_model()
    {
        var (mgr, _) = Create();
        await using var _d = mgr;
        var first = await mgr.LoadAsync("k", LlamaTestEnvironment.TinyModelPath, Cpu);
        var second = await mgr.LoadAsync("k", LlamaTestEnvironment.TinyModelPath, Cpu with { ContextLength = 512 });
        Assert.NotSame(first, second);
        Assert.Equal(512, second.ContextLength);
        var e = await Assert.ThrowsAsync<LocalModelException>(() => first.GenerateAsync(Small));
        Assert.Equal(ErrorCode.ModelBusy, e.Code);
        Assert.Equal(2, (await mgr.GenerateAsync("k", Small)).Usage.CompletionTokens);
    }

    [Fact]
    public async Task Generating_with_an_unknown_key_is_ModelNotFound()
    {
        var (mgr, _) = Create();
        await using var _d = mgr;
        var e = await Assert.ThrowsAsync<LocalModelException>(() => mgr.GenerateAsync("nope", Small));
        Assert.Equal(ErrorCode.ModelNotFound, e.Code);
    }

    [Fact]
    public async Task A_failed_load_is_reported_in_status_and_a_later_load_recovers()
    {
        var (mgr, events) = Create();
        await using var _d = mgr;
        string bad = TestingPaths.Html();
        await Assert.ThrowsAsync<InvalidModelFileException>(() => mgr.LoadAsync("k", bad, Cpu));
        var status = mgr.GetStatus("k");
        Assert.Equal(LocalModelState.Error, status.State);
        Assert.Contains("bad magic", status.Error);
        Assert.Contains(events, e => e.State == LocalModelState.Error);

        await mgr.LoadAsync("k", LlamaTestEnvironment.TinyModelPath, Cpu);
        Assert.Equal(LocalModelState.Ready, mgr.GetStatus("k").State);
    }

    [Fact]
    public async Task Idle_models_are_unloaded_after_the_configured_time_but_busy_ones_are_not()
    {
        var time = new ManualTime();
        var (mgr, _) = Create(TimeSpan.FromMinutes(10), time);
        await using var _d = mgr;
        await mgr.LoadAsync("a", LlamaTestEnvironment.TinyModelPath, Cpu);
        await mgr.LoadAsync("b", LlamaTestEnvironment.TinyModelPath, Cpu with { ContextLength = 128 });

        time.Now += TimeSpan.FromMinutes(9);
        Assert.Equal(0, await mgr.UnloadIdleAsync());
        await mgr.GenerateAsync("b", Small); // b used at minute 9
        time.Now += TimeSpan.FromMinutes(2);
        Assert.Equal(1, await mgr.UnloadIdleAsync());
        Assert.Equal(["b"], mgr.LoadedKeys);
    }

    [Fact]
    public async Task The_idle_timer_unloads_without_being_asked()
    {
        var (mgr, _) = Create();
        await using var _d = mgr;
        var unloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mgr.StateChanged += (k, s, _) => { if (k == "t" && s == LocalModelState.Unloaded) { unloaded.TrySetResult(); } };
        await mgr.LoadAsync("t", LlamaTestEnvironment.TinyModelPath, Cpu);
        mgr.IdleUnloadAfter = TimeSpan.FromMilliseconds(100);
        await unloaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(mgr.LoadedKeys);
    }

    [Fact]
    public async Task GetOrLoad_returns_the_model_loaded_with_other_options_instead_of_reloading()
    {
        var (mgr, events) = Create();
        await using var _d = mgr;
        var loading = mgr.LoadAsync("k", LlamaTestEnvironment.TinyModelPath, Cpu with { ContextLength = 512 });
        // While the first load is still in flight, and after it finished: same model, no reload.
        var during = mgr.GetOrLoadAsync("k", LlamaTestEnvironment.TinyModelPath, Cpu);
        Assert.Same(await loading, await during);
        Assert.Same(await loading, await mgr.GetOrLoadAsync("k", LlamaTestEnvironment.TinyModelPath, Cpu));
        Assert.Equal(512, (await loading).ContextLength);
        Assert.Single(events, e => e.State == LocalModelState.Loading);

        // Nothing under a key yet: it loads with the given options.
        var fresh = await mgr.GetOrLoadAsync("other", LlamaTestEnvironment.TinyModelPath, Cpu);
        Assert.Equal(256, fresh.ContextLength);
    }

    private static class TestingPaths
    {
        public static string Html() => EditorAssist.Testing.Gguf.TestModel.WriteHtmlPage(LlamaTestEnvironment.NewPath("page.html"));
    }
}
