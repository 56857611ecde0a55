using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

[Collection("cpu-model")]
public sealed class FimTemplateTests(CpuModelFixture fixture)
{
    private LocalModel Model => fixture.Model;

    private static int[] Seq(LocalModel m, params object[] parts) =>
        [.. (m.AddsBos ? [m.BosToken] : Array.Empty<int>()),
         .. parts.SelectMany(p => p is int id ? [id] : m.TokenizeExact((string)p))];

    private static async Task<LocalModel> LoadStyle(TestFimStyle style)
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath($"fim-{style}.gguf"), TestModelSpec.Tiny with { FimStyle = style });
        return await LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0, ContextLength = 256, Threads = 1 });
    }

    [Fact]
    public void Qwen_prefix_suffix_middle_are_single_special_tokens_in_order()
    {
        var fim = Model.Fim!;
        Assert.Equal(FimFamily.Qwen, fim.Family);
        int[] t = fim.Build("def f(x):\n    return ", "\n\nprint(f(2))");
        var ids = Model.FimTokens;
        Assert.Equal(Seq(Model, ids.Prefix, "def f(x):\n    return ", ids.Suffix, "\n\nprint(f(2))", ids.Middle), t);
        Assert.EndsWith("<|fim_prefix|>def f(x):\n    return <|fim_suffix|>\n\nprint(f(2))<|fim_middle|>", fim.Render(t));
    }

    [Fact]
    public void Qwen_repo_level_context_lists_files_before_the_current_one()
    {
        var fim = Model.Fim!;
        Assert.True(fim.SupportsRepoContext);
        string text = fim.Render(fim.Build("a", "b", "my/repo", [new("util.py", "X = 1")], "main.py"));
        Assert.EndsWith("<|repo_name|>my/repo\n<|file_sep|>util.py\nX = 1\n<|file_sep|>main.py\n<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", text);
    }

    [Fact]
    public void Special_token_text_inside_the_code_stays_plain_text()
    {
        int[] t = Model.Fim!.Build("x = '<|fim_middle|>'", "<|fim_prefix|>");
        var ids = Model.FimTokens;
        Assert.Single(t, ids.Middle);
        Assert.Single(t, ids.Prefix);
        Assert.Equal(ids.Middle, t[^1]);
    }

    [Fact]
    public async Task StarCoder_puts_the_current_path_after_fim_prefix_in_repo_mode()
    {
        await using var m = await LoadStyle(TestFimStyle.StarCoder);
        var fim = m.Fim!;
        Assert.Equal(FimFamily.StarCoder, fim.Family);
        var ids = m.FimTokens;
        Assert.Equal(Seq(m, ids.Prefix, "a", ids.Suffix, "b", ids.Middle), fim.Build("a", "b"));
        Assert.Equal(Seq(m, ids.RepoName, "r", ids.FileSeparator, "u.py\nX = 1", ids.FileSeparator, ids.Prefix, "m.py\na", ids.Suffix, "b", ids.Middle),
            fim.Build("a", "b", "r", [new("u.py", "X = 1")], "m.py"));
    }

    [Fact]
    public async Task CodeLlama_spaces_the_prefix_and_keeps_the_suffix_exact()
    {
        await using var m = await LoadStyle(TestFimStyle.CodeLlama);
        var fim = m.Fim!;
        Assert.Equal(FimFamily.CodeLlama, fim.Family);
        Assert.False(fim.SupportsRepoContext);
        var ids = m.FimTokens;
        int[] t = fim.Build("int a", "x;");
        Assert.Equal(Seq(m, ids.Prefix, " int a", ids.Suffix, "x;", ids.Middle), t);
        // The vocabulary adds a space prefix to plain text; the suffix must not get one.
        Assert.StartsWith(" ", System.Text.Encoding.UTF8.GetString(m.TokenToPiece(m.Tokenize("x", false, false)[0])));
        Assert.Equal("x;", m.Detokenize(m.TokenizeExact("x;")));
        Assert.EndsWith("<PRE> int a▁<SUF>x;▁<MID>", fim.Render(t).Replace("▁int▁a", " int a"));
    }

    [Fact]
    public async Task DeepSeek_uses_begin_hole_end()
    {
        await using var m = await LoadStyle(TestFimStyle.DeepSeek);
        var fim = m.Fim!;
        Assert.Equal(FimFamily.DeepSeek, fim.Family);
        Assert.EndsWith("<｜fim▁begin｜>p<｜fim▁hole｜>s<｜fim▁end｜>", fim.Render(fim.Build("p", "s")));
    }

    [Fact]
    public async Task Codestral_is_found_by_spelling_and_puts_the_suffix_first_without_a_middle_token()
    {
        await using var m = await LoadStyle(TestFimStyle.Codestral);
        Assert.Equal(-1, m.FimTokens.Prefix); // no metadata: recognised by its spelling
        var fim = m.Fim!;
        Assert.Equal(FimFamily.Codestral, fim.Family);
        Assert.True(m.Info.HasFimTokens);
        int pre = m.SpecialToken("[PREFIX]"), suf = m.SpecialToken("[SUFFIX]");
        Assert.Equal(Seq(m, suf, "s", pre, "p"), fim.Build("p", "s"));
        // Typing at the cursor only appends: the previous prompt is a prefix of the next one.
        int[] before = fim.Build("int ma", "}"), after = fim.Build("int mai", "}");
        Assert.Equal(before[..^1], after[..(before.Length - 1)]);
    }

    [Fact]
    public async Task Fim_generation_runs_and_stops_at_end_of_generation_or_length()
    {
        var r = await Model.GenerateAsync(new GenerationRequest
        {
            PromptTokens = Model.Fim!.Build("int main() {\n  ", "\n}\n"),
            Lane = GenerationLane.Completion,
            Options = new GenerationOptions { Temperature = 0, MaxTokens = 16 },
        });
        Assert.InRange(r.Usage.CompletionTokens, 0, 16);
        Assert.DoesNotContain("<|fim", r.Text); // specials are never rendered into the text
    }

    [Fact]
    public async Task A_model_without_fim_tokens_has_no_template()
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("nofim2.gguf"), TestModelSpec.Tiny with { IncludeFimTokens = false });
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0, ContextLength = 128, Threads = 1 });
        Assert.Null(m.Fim);
        Assert.False(m.Info.HasFimTokens);
    }
}
