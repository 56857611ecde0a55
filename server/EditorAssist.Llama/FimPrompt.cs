using System.Text;

namespace EditorAssist.Llama;

/// <summary>A file given to a fill-in-the-middle prompt as extra context (e.g. an open editor).</summary>
public sealed record FimContextFile(string Path, string Text);

/// <summary>
/// Builds fill-in-the-middle prompts from the model's own FIM tokens (GGUF
/// tokenizer.ggml.fim_*_token_id), in prefix-suffix-middle order as Qwen2.5-Coder, StarCoder2
/// and CodeLlama-style models are trained:
/// <c>[&lt;repo_name&gt;repo \n (&lt;file_sep&gt;path \n text)*] &lt;fim_prefix&gt;prefix&lt;fim_suffix&gt;suffix&lt;fim_middle&gt;</c>.
/// The result is a raw prompt (GenerationRequest.Prompt): special-token texts are parsed back to
/// the single tokens. Generation ends at the model's end-of-generation tokens, which include
/// fim_pad / repo_name / file_sep.
/// </summary>
public static class FimPrompt
{
    /// <exception cref="NotSupportedException">The model has no FIM tokens (LocalModelInfo.HasFimTokens is false).</exception>
    public static string Build(LocalModel model, string prefix, string suffix, string? repoName = null,
        IReadOnlyList<FimContextFile>? extraContext = null, string? currentPath = null)
    {
        var ids = model.FimTokens;
        if (ids.Prefix < 0 || ids.Suffix < 0 || ids.Middle < 0)
        {
            throw new NotSupportedException("This model has no fill-in-the-middle tokens.");
        }
        string Text(int id) => Encoding.UTF8.GetString(model.TokenToPiece(id, renderSpecial: true));

        var sb = new StringBuilder();
        bool repoLevel = ids.RepoName >= 0 && ids.FileSeparator >= 0 && (repoName != null || extraContext is { Count: > 0 });
        if (repoLevel)
        {
            sb.Append(Text(ids.RepoName)).Append(repoName ?? "repo").Append('\n');
            foreach (var f in extraContext ?? [])
            {
                sb.Append(Text(ids.FileSeparator)).Append(f.Path).Append('\n').Append(f.Text).Append('\n');
            }
            sb.Append(Text(ids.FileSeparator)).Append(currentPath ?? "current").Append('\n');
        }
        sb.Append(Text(ids.Prefix)).Append(prefix).Append(Text(ids.Suffix)).Append(suffix).Append(Text(ids.Middle));
        return sb.ToString();
    }
}
