using System.Text;

namespace EditorAssist.Llama;

/// <summary>A file given to a fill-in-the-middle prompt as extra context (e.g. an open editor).</summary>
public sealed record FimContextFile(string Path, string Text);

/// <summary>The fill-in-the-middle prompt layouts the code model families were trained on.</summary>
public enum FimFamily
{
    /// <summary>FIM tokens from the GGUF with an unknown spelling: prefix-suffix-middle, Qwen's repo layout.</summary>
    Generic,
    /// <summary>Qwen2.5-Coder: &lt;|fim_prefix|&gt;…; repo level &lt;|repo_name|&gt;name\n&lt;|file_sep|&gt;path\ntext\n…</summary>
    Qwen,
    /// <summary>StarCoder2 (and StarCoder, SantaCoder, Granite): &lt;fim_prefix&gt;…; repo level puts the current path after &lt;fim_prefix&gt;.</summary>
    StarCoder,
    /// <summary>CodeLlama: "▁&lt;PRE&gt;", a space before the prefix, "▁&lt;SUF&gt;", "▁&lt;MID&gt;" (Meta's infilling format).</summary>
    CodeLlama,
    /// <summary>DeepSeek-Coder: &lt;｜fim▁begin｜&gt;prefix&lt;｜fim▁hole｜&gt;suffix&lt;｜fim▁end｜&gt;.</summary>
    DeepSeek,
    /// <summary>Codestral: [SUFFIX]suffix[PREFIX]prefix, suffix first and no middle token (mistral-common's FIM encoding).</summary>
    Codestral,
}

/// <summary>
/// Builds fill-in-the-middle prompts as token sequences from the model's own FIM tokens: the ids
/// come from the GGUF (tokenizer.ggml.fim_*_token_id, or libllama's recognition of their
/// spelling), and the spelling of the prefix token tells the family, whose layout then applies.
/// Text is tokenized as plain text, so code that contains "&lt;|fim_prefix|&gt;" stays text and
/// cannot inject special tokens. Generation ends at the model's end-of-generation tokens,
/// which include fim_pad / repo_name / file_sep.
/// </summary>
public sealed class FimTemplate
{
    private readonly LocalModel _model;
    private readonly int _prefix, _suffix, _middle, _repoName, _fileSeparator;
    private readonly bool _addBos;

    private FimTemplate(LocalModel model, FimFamily family, int prefix, int suffix, int middle, int repoName, int fileSeparator)
    {
        _model = model;
        Family = family;
        _prefix = prefix;
        _suffix = suffix;
        _middle = middle;
        _repoName = repoName;
        _fileSeparator = fileSeparator;
        _addBos = model.AddsBos && model.BosToken >= 0;
    }

    public FimFamily Family { get; }

    /// <summary>Whether extra files can be given as repository-level context (the model has repo_name and file_sep tokens).</summary>
    public bool SupportsRepoContext => _repoName >= 0 && _fileSeparator >= 0;

    /// <summary>The model's template, or null when it has no fill-in-the-middle tokens.</summary>
    internal static FimTemplate? For(LocalModel model)
    {
        var ids = model.FimTokens;
        int pre = ids.Prefix, suf = ids.Suffix, mid = ids.Middle;
        if (pre < 0 || suf < 0)
        {
            // Mistral's vocabularies spell them [PREFIX]/[SUFFIX]; libllama does not map those.
            pre = model.SpecialToken("[PREFIX]");
            suf = model.SpecialToken("[SUFFIX]");
            if (pre < 0 || suf < 0)
            {
                return null;
            }
            return new FimTemplate(model, FimFamily.Codestral, pre, suf, -1, -1, -1);
        }
        // SentencePiece vocabularies keep their "▁" (space) in control tokens: CodeLlama's is "▁<PRE>".
        string spelling = model.SpecialText(pre).TrimStart('▁').Trim();
        var family = spelling switch
        {
            "<|fim_prefix|>" => FimFamily.Qwen,
            "<fim_prefix>" or "<fim-prefix>" => FimFamily.StarCoder,
            "<PRE>" => FimFamily.CodeLlama,
            "<｜fim▁begin｜>" => FimFamily.DeepSeek,
            "[PREFIX]" => FimFamily.Codestral,
            _ => FimFamily.Generic,
        };
        if (family != FimFamily.Codestral && mid < 0)
        {
            return null;
        }
        return new FimTemplate(model, family, pre, suf, family == FimFamily.Codestral ? -1 : mid, ids.RepoName, ids.FileSeparator);
    }

    /// <summary>
    /// The prompt for completing between <paramref name="prefix"/> and <paramref name="suffix"/>.
    /// <paramref name="extraContext"/> is used only when <see cref="SupportsRepoContext"/>.
    /// </summary>
    public int[] Build(string prefix, string suffix, string? repoName = null,
        IReadOnlyList<FimContextFile>? extraContext = null, string? currentPath = null)
    {
        var t = new List<int>(prefix.Length / 3 + suffix.Length / 3 + 16);
        if (_addBos)
        {
            t.Add(_model.BosToken);
        }
        bool repoLevel = SupportsRepoContext && (repoName != null || extraContext is { Count: > 0 });
        string? pathInPrefix = null;
        if (repoLevel)
        {
            t.Add(_repoName);
            if (Family == FimFamily.StarCoder)
            {
                // StarCoder2: <repo_name>name<file_sep>path\ntext…<file_sep><fim_prefix>path\nprefix…
                Text(t, repoName ?? "repo");
                foreach (var f in extraContext ?? [])
                {
                    t.Add(_fileSeparator);
                    Text(t, f.Path + "\n" + f.Text);
                }
                t.Add(_fileSeparator);
                pathInPrefix = (currentPath ?? "current") + "\n";
            }
            else
            {
                // Qwen2.5-Coder: <|repo_name|>name\n<|file_sep|>path\ntext\n…<|file_sep|>path\n<|fim_prefix|>prefix…
                Text(t, (repoName ?? "repo") + "\n");
                foreach (var f in extraContext ?? [])
                {
                    t.Add(_fileSeparator);
                    Text(t, f.Path + "\n" + f.Text + "\n");
                }
                t.Add(_fileSeparator);
                Text(t, (currentPath ?? "current") + "\n");
            }
        }
        switch (Family)
        {
            case FimFamily.Codestral:
                t.Add(_suffix);
                Text(t, suffix);
                t.Add(_prefix);
                Text(t, prefix);
                break;
            case FimFamily.CodeLlama:
                t.Add(_prefix);
                Text(t, " " + prefix);
                t.Add(_suffix);
                Text(t, suffix);
                t.Add(_middle);
                break;
            default:
                t.Add(_prefix);
                Text(t, pathInPrefix + prefix);
                t.Add(_suffix);
                Text(t, suffix);
                t.Add(_middle);
                break;
        }
        return t.ToArray();
    }

    /// <summary>The prompt as text with special tokens spelled out (for logs and tests).</summary>
    public string Render(IEnumerable<int> tokens)
    {
        var bytes = new List<byte>();
        foreach (int id in tokens)
        {
            bytes.AddRange(_model.TokenToPiece(id, renderSpecial: true));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private void Text(List<int> into, string text)
    {
        if (text.Length > 0)
        {
            into.AddRange(_model.TokenizeExact(text));
        }
    }
}
