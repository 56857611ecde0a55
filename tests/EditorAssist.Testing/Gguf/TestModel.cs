using System.Text;

namespace EditorAssist.Testing.Gguf;

/// <summary>The FIM token spellings of the code model families FimTemplate knows.</summary>
public enum TestFimStyle
{
    Qwen,
    StarCoder,
    /// <summary>"▁&lt;PRE&gt;"… and a vocabulary that adds a space prefix, as CodeLlama's.</summary>
    CodeLlama,
    DeepSeek,
    /// <summary>[PREFIX]/[SUFFIX]/[MIDDLE] without fim_*_token_id metadata, as Mistral's GGUFs.</summary>
    Codestral,
}

/// <summary>The shape of a generated llama-architecture test model.</summary>
public sealed record TestModelSpec
{
    public int EmbeddingLength { get; init; } = 64;
    public int LayerCount { get; init; } = 2;
    public int HeadCount { get; init; } = 4;
    public int HeadCountKv { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 128;
    public int ContextLength { get; init; } = 2048;
    /// <summary>Filler tokens appended to the vocabulary, to reach realistic output-layer sizes.</summary>
    public int ExtraVocab { get; init; }
    public bool IncludeFimTokens { get; init; } = true;
    /// <summary>Which code model family's FIM tokens (spelling and metadata) the vocabulary has.</summary>
    public TestFimStyle FimStyle { get; init; } = TestFimStyle.Qwen;
    public bool IncludeChatTemplate { get; init; } = true;
    /// <summary>The tokenizer.chat_template text (ChatML unless set).</summary>
    public string ChatTemplate { get; init; } = TestModel.ChatMlTemplate;
    public GgufTensorType TensorType { get; init; } = GgufTensorType.F32;
    /// <summary>Seed of the weights: same seed, same file, same outputs.</summary>
    public int Seed { get; init; } = 1234;
    public string Name { get; init; } = "editorassist-test-tiny";

    /// <summary>~0.3 M parameters, ~1 MB: fast enough to load in every test class.</summary>
    public static TestModelSpec Tiny { get; } = new();

    /// <summary>
    /// About 245 M parameters in F16 (~490 MB), the size of ENVIRONMENT.md's reference model
    /// (n_embd 1024, 14 layers, n_ff 2816, 32 k vocabulary): for throughput benchmarks.
    /// </summary>
    public static TestModelSpec Benchmark250M { get; } = new()
    {
        EmbeddingLength = 1024, LayerCount = 14, HeadCount = 16, HeadCountKv = 16, FeedForwardLength = 2816,
        ExtraVocab = 32000 - 400, TensorType = GgufTensorType.F16, Name = "editorassist-bench-250m",
    };

    /// <summary>
    /// ~27 M parameters in F16 (~55 MB): slow enough on a CPU (a few hundred tokens/s) that a
    /// person — or an end-to-end test — can press Stop while an answer streams.
    /// </summary>
    public static TestModelSpec Streaming { get; } = new()
    {
        EmbeddingLength = 512, LayerCount = 8, HeadCount = 8, HeadCountKv = 8, FeedForwardLength = 1536,
        ExtraVocab = 8000 - 400, TensorType = GgufTensorType.F16, Name = "editorassist-test-streaming",
    };

    /// <summary>A few M parameters in F16: the tiny shape where per-token overhead dominates.</summary>
    /// <summary>
    /// ~1.1 B parameters in F16 (~2.2 GB), TinyLlama's shape (grouped-query attention, 4 KV
    /// heads): for GPU runs, where the 250 M shape is too small to keep a datacenter GPU busy.
    /// </summary>
    public static TestModelSpec Benchmark1B { get; } = new()
    {
        EmbeddingLength = 2048, LayerCount = 22, HeadCount = 32, HeadCountKv = 4, FeedForwardLength = 5632,
        ExtraVocab = 32000 - 400, TensorType = GgufTensorType.F16, Name = "editorassist-bench-1b",
    };

    public static TestModelSpec BenchmarkTiny { get; } = new()
    {
        EmbeddingLength = 256, LayerCount = 4, HeadCount = 4, HeadCountKv = 4, FeedForwardLength = 512,
        ExtraVocab = 8000 - 400, TensorType = GgufTensorType.F16, Name = "editorassist-bench-tiny",
    };
}

/// <summary>
/// Writes small random-weight llama models with a self-made SentencePiece-style ("llama")
/// vocabulary: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte tokens &lt;0x00&gt;…&lt;0xFF&gt; (byte
/// fallback makes any UTF-8 text tokenizable), "▁" and printable ASCII as normal tokens, a few
/// merges, ChatML specials and FIM specials, plus a ChatML tokenizer.chat_template. The text a
/// model writes is gibberish; the plumbing it exercises is real. Also writes broken files.
/// </summary>
public static class TestModel
{
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>ChatML whose generation prompt opens a think span, as QwQ's and DeepSeek-R1's templates do.</summary>
    public const string ThinkingChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n<think>\\n' }}{% endif %}";

    /// <summary>prefix, suffix, middle, pad, repo name, file separator (null: the family has none).</summary>
    public static string?[] FimTokensOf(TestFimStyle style) => style switch
    {
        TestFimStyle.Qwen => ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"],
        TestFimStyle.StarCoder => ["<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<fim_pad>", "<repo_name>", "<file_sep>"],
        TestFimStyle.CodeLlama => ["▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>", null, null],
        TestFimStyle.DeepSeek => ["<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", null, null, null],
        TestFimStyle.Codestral => ["[PREFIX]", "[SUFFIX]", "[MIDDLE]", null, null, null],
        _ => throw new ArgumentOutOfRangeException(nameof(style)),
    };

    // SentencePiece merges pairs whose concatenation is a token, so every multi-character
    // token needs its prefixes as tokens too ("▁h", "▁he", ... "▁hello").
    private static readonly string[] Merges =
        ["▁t", "▁th", "▁the", "▁h", "▁he", "▁hel", "▁hell", "▁hello", "▁w", "▁wo", "▁wor", "▁worl", "▁world",
         "in", "ing", "er", "an", "on", "re", "or", "ll", "▁a", "▁i", "▁in", "▁o", "▁of"];

    private const int TypeNormal = 1, TypeUnknown = 2, TypeControl = 3, TypeByte = 6;

    /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
    public static string Write(string path, TestModelSpec? spec = null)
    {
        spec ??= TestModelSpec.Tiny;
        var (tokens, scores, types, ids) = BuildVocab(spec);
        int nVocab = tokens.Length;
        var w = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", spec.Name)
            .Add("general.file_type", spec.TensorType == GgufTensorType.F32 ? 0u : 1u)
            .Add("llama.context_length", (uint)spec.ContextLength)
            .Add("llama.embedding_length", (uint)spec.EmbeddingLength)
            .Add("llama.block_count", (uint)spec.LayerCount)
            .Add("llama.feed_forward_length", (uint)spec.FeedForwardLength)
            .Add("llama.attention.head_count", (uint)spec.HeadCount)
            .Add("llama.attention.head_count_kv", (uint)spec.HeadCountKv)
            .Add("llama.rope.dimension_count", (uint)(spec.EmbeddingLength / spec.HeadCount))
            .Add("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add("llama.vocab_size", (uint)nVocab)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.scores", scores)
            .Add("tokenizer.ggml.token_type", types)
            .Add("tokenizer.ggml.bos_token_id", (uint)ids["<s>"])
            .Add("tokenizer.ggml.eos_token_id", (uint)ids["</s>"])
            .Add("tokenizer.ggml.unknown_token_id", (uint)ids["<unk>"])
            .Add("tokenizer.ggml.eot_token_id", (uint)ids["<|im_end|>"])
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false)
            .Add("tokenizer.ggml.add_space_prefix", spec.FimStyle == TestFimStyle.CodeLlama);
        if (spec.IncludeFimTokens && spec.FimStyle != TestFimStyle.Codestral)
        {
            string[] keys = ["fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep"];
            string?[] fim = FimTokensOf(spec.FimStyle);
            for (int i = 0; i < keys.Length; i++)
            {
                if (fim[i] is string f)
                {
                    w.Add($"tokenizer.ggml.{keys[i]}_token_id", (uint)ids[f]);
                }
            }
        }
        if (spec.IncludeChatTemplate)
        {
            w.Add("tokenizer.chat_template", spec.ChatTemplate);
        }

        var rng = new Random(spec.Seed);
        // Uniform in [-a, a] with a = sqrt(3)*sigma: the variance of a small normal init, cheaper to draw.
        Func<long, float> Weights(float sigma)
        {
            float a = sigma * 1.7320508f;
            return _ => (float)((rng.NextDouble() * 2 - 1) * a);
        }
        static float One(long _) => 1f;

        int e = spec.EmbeddingLength, ff = spec.FeedForwardLength;
        int kv = e / spec.HeadCount * spec.HeadCountKv;
        var t = spec.TensorType;
        // Norm weights stay F32 as in converted models (1-D tensors are never quantized).
        w.AddTensor("token_embd.weight", [e, nVocab], t, Weights(0.5f));
        w.AddTensor("output_norm.weight", [e], GgufTensorType.F32, One);
        w.AddTensor("output.weight", [e, nVocab], t, Weights(0.5f / MathF.Sqrt(e)));
        for (int l = 0; l < spec.LayerCount; l++)
        {
            float s = 1f / MathF.Sqrt(e);
            w.AddTensor($"blk.{l}.attn_norm.weight", [e], GgufTensorType.F32, One);
            w.AddTensor($"blk.{l}.attn_q.weight", [e, e], t, Weights(s));
            w.AddTensor($"blk.{l}.attn_k.weight", [e, kv], t, Weights(s));
            w.AddTensor($"blk.{l}.attn_v.weight", [e, kv], t, Weights(s));
            w.AddTensor($"blk.{l}.attn_output.weight", [e, e], t, Weights(s));
            w.AddTensor($"blk.{l}.ffn_norm.weight", [e], GgufTensorType.F32, One);
            w.AddTensor($"blk.{l}.ffn_gate.weight", [e, ff], t, Weights(s));
            w.AddTensor($"blk.{l}.ffn_up.weight", [e, ff], t, Weights(s));
            w.AddTensor($"blk.{l}.ffn_down.weight", [ff, e], t, Weights(1f / MathF.Sqrt(ff)));
        }
        w.WriteTo(path);
        return path;
    }

    private static (string[] Tokens, float[] Scores, int[] Types, Dictionary<string, int> Ids) BuildVocab(TestModelSpec spec)
    {
        var tokens = new List<string>();
        var scores = new List<float>();
        var types = new List<int>();
        void Add(string text, float score, int type)
        {
            tokens.Add(text);
            scores.Add(score);
            types.Add(type);
        }
        Add("<unk>", 0, TypeUnknown);
        Add("<s>", 0, TypeControl);
        Add("</s>", 0, TypeControl);
        for (int b = 0; b < 256; b++)
        {
            Add($"<0x{b:X2}>", 0, TypeByte);
        }
        // A normal "▁" token is needed so that a space round-trips: SPM turns ' ' into U+2581
        // and only a normal token renders it back as a space (a byte-fallback U+2581 would not).
        Add("▁", -1, TypeNormal);
        for (char c = '!'; c <= '~'; c++)
        {
            Add(c.ToString(), -2, TypeNormal);
        }
        // Merges: higher score merges first, as SentencePiece scores do.
        for (int i = 0; i < Merges.Length; i++)
        {
            Add(Merges[i], -3 - i * 0.01f, TypeNormal);
        }
        for (int i = 0; i < spec.ExtraVocab; i++)
        {
            Add($"▁w{i:x}", -100 - i * 1e-4f, TypeNormal);
        }
        Add("<|im_start|>", 0, TypeControl);
        Add("<|im_end|>", 0, TypeControl);
        if (spec.IncludeFimTokens)
        {
            foreach (string? f in FimTokensOf(spec.FimStyle))
            {
                if (f != null)
                {
                    Add(f, 0, TypeControl);
                }
            }
        }
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            ids.TryAdd(tokens[i], i);
        }
        return (tokens.ToArray(), scores.ToArray(), types.ToArray(), ids);
    }

    // ---- broken files, for error-path tests -------------------------------------------------

    /// <summary>A valid model cut off in the middle of its tensor data.</summary>
    public static string WriteTruncated(string path, TestModelSpec? spec = null)
    {
        string full = path + ".full";
        Write(full, spec);
        byte[] bytes = File.ReadAllBytes(full);
        File.Delete(full);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray());
        return path;
    }

    /// <summary>A valid model cut off inside its header (the metadata section).</summary>
    public static string WriteTruncatedHeader(string path)
    {
        string full = path + ".full";
        Write(full);
        byte[] bytes = File.ReadAllBytes(full);
        File.Delete(full);
        File.WriteAllBytes(path, bytes.AsSpan(0, 1000).ToArray());
        return path;
    }

    /// <summary>A valid model whose magic bytes are wrong.</summary>
    public static string WriteBadMagic(string path)
    {
        Write(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.Write("GGML"u8);
        return path;
    }

    /// <summary>What a download that hit a login or error page leaves behind.</summary>
    public static string WriteHtmlPage(string path)
    {
        File.WriteAllText(path, "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>" +
                                new string(' ', 200) + "</body></html>\n", Encoding.UTF8);
        return path;
    }

    /// <summary>A GGUF header claiming 2^40 tensors: an allocation bomb for a trusting reader.</summary>
    public static string WriteAbsurdTensorCount(string path)
    {
        using var fs = new FileStream(path, FileMode.Create);
        using var w = new BinaryWriter(fs);
        w.Write(0x46554747u);
        w.Write(3u);
        w.Write(1UL << 40);
        w.Write(0UL);
        w.Write(new byte[64]);
        return path;
    }
}
