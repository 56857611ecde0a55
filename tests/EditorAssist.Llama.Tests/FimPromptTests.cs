using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

[Collection("cpu-model")]
public sealed class FimPromptTests(CpuModelFixture fixture)
{
    private LocalModel Model => fixture.Model;

    [Fact]
    public void Prefix_suffix_middle_become_single_special_tokens_in_order()
    {
        string prompt = FimPrompt.Build(Model, "def f(x):\n    return ", "\n\nprint(f(2))");
        Assert.Equal("<|fim_prefix|>def f(x):\n    return <|fim_suffix|>\n\nprint(f(2))<|fim_middle|>", prompt);
        int[] t = Model.Tokenize(prompt, addSpecial: false, parseSpecial: true);
        var fim = Model.FimTokens;
        Assert.Equal(fim.Prefix, t[0]);
        Assert.Equal(fim.Middle, t[^1]);
        Assert.Single(t, fim.Suffix);
    }

    [Fact]
    public void Repo_level_context_lists_files_before_the_current_one()
    {
        string prompt = FimPrompt.Build(Model, "a", "b", "my/repo", [new("util.py", "X = 1")], "main.py");
        Assert.Equal("<|repo_name|>my/repo\n<|file_sep|>util.py\nX = 1\n<|file_sep|>main.py\n<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", prompt);
    }

    [Fact]
    public async Task Fim_generation_runs_and_stops_at_end_of_generation_or_length()
    {
        var r = await Model.GenerateAsync(new GenerationRequest
        {
            Prompt = FimPrompt.Build(Model, "int main() {\n  ", "\n}\n"),
            Options = new GenerationOptions { Temperature = 0, MaxTokens = 16 },
        });
        Assert.InRange(r.Usage.CompletionTokens, 0, 16);
        Assert.DoesNotContain("<|fim", r.Text); // specials are never rendered into the text
    }

    [Fact]
    public async Task A_model_without_fim_tokens_is_refused()
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("nofim2.gguf"), TestModelSpec.Tiny with { IncludeFimTokens = false });
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0, ContextLength = 128, Threads = 1 });
        Assert.Throws<NotSupportedException>(() => FimPrompt.Build(m, "a", "b"));
    }
}
