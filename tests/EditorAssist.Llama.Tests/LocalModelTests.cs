using EditorAssist.Core.Errors;
using EditorAssist.Core.Local;
using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

[Collection("cpu-model")]
public sealed class LocalModelTests(CpuModelFixture fixture)
{
    private LocalModel Model => fixture.Model;

    [Fact]
    public void Load_reports_progress_up_to_one_and_reads_metadata()
    {
        Assert.NotEmpty(fixture.Progress);
        Assert.Equal(1f, fixture.Progress[^1]);
        Assert.True(fixture.Progress.Zip(fixture.Progress.Skip(1)).All(p => p.First <= p.Second), "progress must not go backwards");

        var info = Model.Info;
        Assert.Equal("llama", info.Architecture);
        Assert.Equal("editorassist-test-tiny", info.Name);
        Assert.Equal(2, info.LayerCount);
        Assert.Equal(64, info.EmbeddingLength);
        Assert.Equal(2048, info.TrainedContextLength);
        Assert.True(info.ParameterCount > 50_000, $"n_params {info.ParameterCount}");
        Assert.True(info.SizeBytes > 0);
        Assert.Equal(TestModel.ChatMlTemplate, info.ChatTemplate);
        Assert.True(info.HasFimTokens);
        Assert.Equal(1024, Model.ContextLength);
        Assert.Equal("CPU", Model.Backend);
        Assert.Equal(0, Model.GpuLayers);
        Assert.Equal("2", Model.GetMetadata("llama.block_count"));
        Assert.Null(Model.GetMetadata("no.such.key"));
    }

    [Fact]
    public void Special_and_fim_tokens_come_from_metadata()
    {
        var fim = Model.FimTokens;
        int[] ids = [fim.Prefix, fim.Suffix, fim.Middle, fim.Pad, fim.RepoName, fim.FileSeparator];
        Assert.All(ids, id => Assert.True(id > 258, $"FIM token id {id}"));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(1, Model.BosToken);
        Assert.Equal(2, Model.EosToken);
        Assert.True(Model.IsEndOfGeneration(Model.EotToken));
        Assert.Equal("<|fim_prefix|>", System.Text.Encoding.UTF8.GetString(Model.TokenToPiece(fim.Prefix, renderSpecial: true)));
        // FIM specials parse as one token each in a raw prompt.
        int[] t = Model.Tokenize("<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", addSpecial: false, parseSpecial: true);
        Assert.Equal([fim.Prefix, t[1], fim.Suffix, t[3], fim.Middle], t);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("Ünïcödé — 日本語 😀 mixed\nlines\ttabs")]
    [InlineData("  leading and trailing spaces  ")]
    public void Tokenize_and_detokenize_round_trip(string text)
    {
        int[] tokens = Model.Tokenize(text, addSpecial: false, parseSpecial: false);
        Assert.NotEmpty(tokens);
        Assert.Equal(text, Model.Detokenize(tokens));
    }

    [Fact]
    public void Tokenize_adds_bos_when_asked_and_uses_merges()
    {
        int[] with = Model.Tokenize("hello", addSpecial: true, parseSpecial: false);
        int[] without = Model.Tokenize("hello", addSpecial: false, parseSpecial: false);
        Assert.Equal(Model.BosToken, with[0]);
        Assert.Equal(without, with[1..]);
        // " hello" is a merged token in the test vocabulary: one token, not six bytes.
        Assert.Single(Model.Tokenize(" hello", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Multibyte_characters_split_across_byte_tokens_reassemble_without_replacement_chars()
    {
        const string text = "é日本😀";
        int[] tokens = Model.Tokenize(text, addSpecial: false, parseSpecial: false);
        Assert.True(tokens.Length > 4, "byte fallback: several tokens per character");
        var asm = new Utf8StreamAssembler();
        var sb = new System.Text.StringBuilder();
        foreach (int t in tokens)
        {
            string piece = asm.Append(Model.TokenToPiece(t));
            Assert.DoesNotContain('\uFFFD', piece);
            sb.Append(piece);
        }
        Assert.Equal(text, sb.ToString());
    }

    [Fact]
    public void Chat_template_from_metadata_formats_chatml()
    {
        string prompt = Model.ApplyChatTemplate([new("system", "be brief"), new("user", "hi")]);
        Assert.Equal("<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompt);
        int[] tokens = Model.Tokenize(prompt, addSpecial: false, parseSpecial: true);
        // system, user and the assistant prefix: three starts, two ends.
        Assert.Equal(5, tokens.Count(t => Model.Detokenize([t], renderSpecial: true) is "<|im_start|>" or "<|im_end|>"));
    }

    [Fact]
    public async Task Model_without_fim_tokens_reports_none()
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("nofim.gguf"), TestModelSpec.Tiny with { IncludeFimTokens = false });
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0, ContextLength = 256 });
        Assert.False(m.Info.HasFimTokens);
        Assert.Equal(-1, m.FimTokens.Prefix);
    }

    [Fact]
    public async Task Cancelled_load_throws_OperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        // Cancel from the first progress report: the native loader is aborted through its callback.
        var progress = new SyncProgress<float>(_ => cts.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LlamaTestEnvironment.Runtime.LoadModelAsync(
            LlamaTestEnvironment.TinyModelPath, new LocalModelOptions { GpuLayers = 0, ContextLength = 256 }, progress, cts.Token));
    }

    [Fact]
    public async Task Missing_file_is_InvalidModelFile()
    {
        var e = await Assert.ThrowsAsync<InvalidModelFileException>(() =>
            LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.NewPath("missing.gguf")));
        Assert.Equal(ErrorCode.InvalidModelFile, e.Code);
        Assert.Contains("not found", e.Message);
    }

    public static TheoryData<string> BrokenFiles() => ["truncated", "truncated-header", "bad-magic", "html", "absurd-tensor-count", "empty"];

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task Broken_files_are_InvalidModelFile_and_the_runtime_keeps_serving(string kind)
    {
        string path = LlamaTestEnvironment.NewPath(kind + ".gguf");
        switch (kind)
        {
            case "truncated": TestModel.WriteTruncated(path); break;
            case "truncated-header": TestModel.WriteTruncatedHeader(path); break;
            case "bad-magic": TestModel.WriteBadMagic(path); break;
            case "html": TestModel.WriteHtmlPage(path); break;
            case "absurd-tensor-count": TestModel.WriteAbsurdTensorCount(path); break;
            case "empty": File.WriteAllBytes(path, []); break;
        }
        var e = await Assert.ThrowsAsync<InvalidModelFileException>(() =>
            LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0 }));
        Assert.Equal(ErrorCode.InvalidModelFile, e.Code);
        // The shared model still generates afterwards.
        var r = await Model.GenerateAsync(new GenerationRequest { Prompt = "ok", Options = new() { MaxTokens = 2, Temperature = 0, IgnoreEndOfGeneration = true } });
        Assert.Equal(2, r.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Too_large_for_memory_is_InsufficientMemory_before_any_allocation()
    {
        // A context of 2^30 tokens needs ~512 GiB of KV cache for this model: the planner refuses
        // it up front (a native attempt would abort or be OOM-killed instead).
        var e = await Assert.ThrowsAsync<InsufficientModelMemoryException>(() => LlamaTestEnvironment.Runtime.LoadModelAsync(
            LlamaTestEnvironment.TinyModelPath, new LocalModelOptions { GpuLayers = 0, ContextLength = 1 << 30 }));
        Assert.Equal(ErrorCode.InsufficientMemory, e.Code);
        Assert.True(e.RequiredBytes > e.AvailableBytes);

        // And an explicit budget below the model's needs.
        var e2 = await Assert.ThrowsAsync<InsufficientModelMemoryException>(() => LlamaTestEnvironment.Runtime.LoadModelAsync(
            LlamaTestEnvironment.TinyModelPath, new LocalModelOptions { GpuLayers = 0, MemoryBudgetBytes = 1 << 20 }));
        Assert.Equal(1 << 20, e2.AvailableBytes);
    }

    [Fact]
    public async Task Unloading_cancels_the_running_request_and_fails_queued_ones_with_ModelBusy()
    {
        var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 256, Threads = 1 });
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var opt = new GenerationOptions { Temperature = 0, MaxTokens = 200, IgnoreEndOfGeneration = true };
        var first = m.GenerateAsync(new GenerationRequest { Prompt = "a", Options = opt },
            _ => { running.TrySetResult(); release.Wait(TimeSpan.FromSeconds(10)); });
        await running.Task;
        var queued = m.GenerateAsync(new GenerationRequest { Prompt = "b", Options = opt });

        var unload = m.DisposeAsync().AsTask();
        release.Set();
        await unload;

        var r = await first;
        Assert.Equal(FinishReason.Cancelled, r.FinishReason);
        var e = await Assert.ThrowsAsync<LocalModelException>(() => queued);
        Assert.Equal(ErrorCode.ModelBusy, e.Code);
        var after = Assert.Throws<LocalModelException>(() => { _ = m.GenerateAsync(new GenerationRequest { Prompt = "c", Options = opt }); });
        Assert.Equal(ErrorCode.ModelBusy, after.Code);
    }

    [Fact]
    public async Task Two_threads_compute_on_a_persistent_pool_and_give_the_same_greedy_text_as_one()
    {
        // Every other test runs one thread; this one covers the attached ggml thread pool
        // (created with the context, used by every decode, freed after the context).
        var opt = new GenerationOptions { Temperature = 0, MaxTokens = 24, IgnoreEndOfGeneration = true };
        var request = new GenerationRequest { Prompt = "hello world the code", Options = opt };
        string one, two;
        await using (var m1 = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 256, Threads = 1 }))
        {
            Assert.False(m1.HasCpuThreadpool);
            one = (await m1.GenerateAsync(request)).Text;
        }
        await using (var m2 = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 256, Threads = 2 }))
        {
            Assert.True(m2.HasCpuThreadpool);
            var first = await m2.GenerateAsync(request);
            var again = await m2.GenerateAsync(request); // the pool serves decode after decode
            Assert.Equal(24, first.Usage.CompletionTokens);
            two = first.Text;
            Assert.Equal(two, again.Text);
        }
        Assert.Equal(one, two);
    }
}
