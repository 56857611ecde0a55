using EditorAssist.Testing.Gguf;

// Usage: EditorAssist.TestModels <output.gguf> [tiny|tiny-nofim|tiny-thinking|bench-tiny|streaming|bench-250m|truncated|html|bad-magic]
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: EditorAssist.TestModels <output.gguf> [tiny|tiny-nofim|tiny-thinking|bench-tiny|streaming|bench-250m|truncated|html|bad-magic]");
    return 2;
}
var path = Path.GetFullPath(args[0]);
Directory.CreateDirectory(Path.GetDirectoryName(path)!);
var kind = args.Length > 1 ? args[1] : "tiny";
switch (kind)
{
    case "tiny": TestModel.Write(path, TestModelSpec.Tiny); break;
    case "tiny-nofim": TestModel.Write(path, TestModelSpec.Tiny with { IncludeFimTokens = false, Name = "editorassist-test-nofim" }); break;
    // A reasoning model's template: its generation prompt opens the think span (as DeepSeek-R1's and QwQ's do).
    case "tiny-thinking": TestModel.Write(path, TestModelSpec.Tiny with { ChatTemplate = TestModel.ThinkingChatMlTemplate, Name = "editorassist-test-thinking" }); break;
    case "bench-tiny": TestModel.Write(path, TestModelSpec.BenchmarkTiny); break;
    case "streaming": TestModel.Write(path, TestModelSpec.Streaming); break;
    case "bench-250m": TestModel.Write(path, TestModelSpec.Benchmark250M); break;
    case "truncated": TestModel.WriteTruncated(path); break;
    case "html": TestModel.WriteHtmlPage(path); break;
    case "bad-magic": TestModel.WriteBadMagic(path); break;
    default:
        Console.Error.WriteLine($"unknown kind '{kind}'");
        return 2;
}
Console.WriteLine(path);
return 0;
