namespace EditorAssist.Llama.Tests;

public sealed class LlamaLibraryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ea-libres-" + Guid.NewGuid().ToString("N")[..8]);

    public LlamaLibraryTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string MakeBins(string relative, params string[] files)
    {
        string dir = Path.Combine(_root, relative);
        Directory.CreateDirectory(dir);
        foreach (string f in files)
        {
            File.WriteAllBytes(Path.Combine(dir, f), []);
        }
        return dir;
    }

    private static readonly Func<string, string?> NoEnv = _ => null;

    [Fact]
    public void Configured_folder_wins_over_env_and_search()
    {
        string r = LlamaLibrary.ResolveDirectory("/configured", true, _root, _ => "/from-env")!;
        Assert.Equal("/configured", r);
        Assert.Equal("/from-env", LlamaLibrary.ResolveDirectory(null, true, _root, k => k == "EDITORASSIST_LLAMA_DIR" ? "/from-env" : null));
    }

    [Fact]
    public void Search_goes_upward_and_prefers_vulkan_when_allowed()
    {
        string cpu = MakeBins("node_modules/@node-llama-cpp/linux-x64/bins/linux-x64", "libllama.v0.5.0.so");
        string vk = MakeBins("node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan", "libllama.vulkan.v0.5.0.so");
        string deep = Path.Combine(_root, "server", "bin", "Release", "net10.0");
        Directory.CreateDirectory(deep);

        Assert.Equal(vk, LlamaLibrary.ResolveDirectory(null, allowVulkan: true, deep, NoEnv));
        Assert.Equal(cpu, LlamaLibrary.ResolveDirectory(null, allowVulkan: false, deep, NoEnv));
    }

    [Fact]
    public void Search_falls_back_to_cpu_build_and_returns_null_when_nothing_is_installed()
    {
        Assert.Null(LlamaLibrary.ResolveDirectory(null, true, _root, NoEnv)); // nothing under /tmp or /
        string cpu = MakeBins("node_modules/@node-llama-cpp/linux-x64/bins/linux-x64", "libllama.v0.5.0.so");
        Assert.Equal(cpu, LlamaLibrary.ResolveDirectory(null, allowVulkan: true, _root, NoEnv));
    }

    [Fact]
    public void FindLibrary_matches_npm_names_but_not_siblings_with_longer_stems()
    {
        string dir = MakeBins("bins", "libllama-common.so", "libggml-base.so", "libggml-cpu-haswell.so", "libllama.vulkan.v0.5.0.so", "libggml.vulkan.v0.5.0.so");
        Assert.Equal(Path.Combine(dir, "libllama.vulkan.v0.5.0.so"), LlamaLibrary.FindLibrary(dir, "libllama"));
        Assert.Equal(Path.Combine(dir, "libggml.vulkan.v0.5.0.so"), LlamaLibrary.FindLibrary(dir, "libggml"));
        string plain = MakeBins("plain", "libllama.so");
        Assert.Equal(Path.Combine(plain, "libllama.so"), LlamaLibrary.FindLibrary(plain, "libllama"));
        Assert.Null(LlamaLibrary.FindLibrary(Path.Combine(_root, "nope"), "libllama"));
    }

    [Fact]
    public void A_second_native_build_in_the_same_process_is_refused()
    {
        _ = LlamaTestEnvironment.Runtime;
        string other = Path.Combine(_root, "other");
        Directory.CreateDirectory(other);
        var e = Assert.Throws<InvalidOperationException>(() => LlamaRuntime.Initialize(new LlamaRuntimeOptions { NativeDirectory = other }));
        Assert.Contains("only one native build", e.Message);
    }
}
