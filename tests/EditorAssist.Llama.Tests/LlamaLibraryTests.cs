using System.Runtime.InteropServices;

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
    public void Search_falls_back_to_the_other_build_and_returns_null_when_nothing_is_installed()
    {
        Assert.Null(LlamaLibrary.ResolveDirectory(null, true, _root, NoEnv)); // nothing under /tmp or /
        string cpu = MakeBins("node_modules/@node-llama-cpp/linux-x64/bins/linux-x64", "libllama.v0.5.0.so");
        Assert.Equal(cpu, LlamaLibrary.ResolveDirectory(null, allowVulkan: true, _root, NoEnv));
    }

    [Fact]
    public void A_vsix_layout_next_to_the_sidecar_is_found_and_its_gpu_build_serves_cpu_only_work_too()
    {
        // extension/sidecar/llama/<flavour>/ as scripts/package.mjs lays it out: one build only.
        string app = Path.Combine(_root, "sidecar");
        string vk = MakeBins("sidecar/llama/linux-x64-vulkan", "libllama.vulkan.v0.5.0.so");
        var flavours = LlamaLibrary.Flavours(OSPlatform.Linux, Architecture.X64, allowGpu: false);
        Assert.Equal(["linux-x64", "linux-x64-vulkan"], flavours);
        Assert.Equal(vk, LlamaLibrary.ResolveDirectory(null, app, NoEnv, flavours, NativeNaming.Linux));
        // A bundled build wins over a node_modules one further up.
        MakeBins("node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan", "libllama.vulkan.v0.5.0.so");
        Assert.Equal(vk, LlamaLibrary.ResolveDirectory(null, app, NoEnv, LlamaLibrary.Flavours(OSPlatform.Linux, Architecture.X64, true), NativeNaming.Linux));
    }

    [Theory]
    [InlineData("Windows", "X64", true, "win-x64-vulkan,win-x64")]
    [InlineData("Windows", "X64", false, "win-x64,win-x64-vulkan")]
    [InlineData("Windows", "Arm64", true, "win-arm64")]
    [InlineData("Linux", "Arm64", true, "linux-arm64")]
    [InlineData("OSX", "Arm64", true, "mac-arm64-metal")]
    [InlineData("OSX", "Arm64", false, "mac-arm64-metal")]
    [InlineData("OSX", "X64", true, "mac-x64")]
    [InlineData("Linux", "Wasm", true, "")]
    public void Every_shipped_platform_has_its_npm_builds(string os, string arch, bool gpu, string expected)
    {
        var platform = os switch { "Windows" => OSPlatform.Windows, "OSX" => OSPlatform.OSX, _ => OSPlatform.Linux };
        var flavours = LlamaLibrary.Flavours(platform, Enum.Parse<Architecture>(arch), gpu);
        Assert.Equal(expected, string.Join(",", flavours));
    }

    [Fact]
    public void Windows_and_macOS_names_are_found_by_their_own_rules()
    {
        string win = MakeBins("sidecar/llama/win-x64-vulkan", "llama-common.dll", "llama.vulkan.v0.4.0.dll", "ggml.vulkan.v0.4.0.dll", "ggml-base.dll", "ggml-vulkan.dll");
        Assert.Equal(Path.Combine(win, "llama.vulkan.v0.4.0.dll"), LlamaLibrary.FindLibrary(win, "llama", NativeNaming.Windows));
        Assert.Equal(Path.Combine(win, "ggml.vulkan.v0.4.0.dll"), LlamaLibrary.FindLibrary(win, "ggml", NativeNaming.Windows));
        Assert.Null(LlamaLibrary.FindLibrary(win, "llama", NativeNaming.Linux));
        Assert.Equal(LlamaVariant.Vulkan, LlamaLibrary.DetectVariant(win, Path.Combine(win, "llama.vulkan.v0.4.0.dll"), NativeNaming.Windows));
        Assert.Equal(win, LlamaLibrary.ResolveDirectory(null, Path.Combine(_root, "sidecar"), NoEnv,
            LlamaLibrary.Flavours(OSPlatform.Windows, Architecture.X64, true), NativeNaming.Windows));

        // macOS: dylibs for llama/ggml, but the backends are plug-ins named .so.
        string mac = MakeBins("mac", "libllama.metal.v0.4.0.dylib", "libggml.metal.v0.4.0.dylib", "libggml-base.dylib", "libggml-metal.so", "libllama-common.dylib");
        Assert.Equal(Path.Combine(mac, "libllama.metal.v0.4.0.dylib"), LlamaLibrary.FindLibrary(mac, "llama", NativeNaming.MacOS));
        Assert.Equal(LlamaVariant.Metal, LlamaLibrary.DetectVariant(mac, Path.Combine(mac, "libllama.metal.v0.4.0.dylib"), NativeNaming.MacOS));
        string macCpu = MakeBins("mac-x64", "libllama.v0.4.0.dylib", "libggml-cpu-haswell.so");
        Assert.Equal(LlamaVariant.Cpu, LlamaLibrary.DetectVariant(macCpu, Path.Combine(macCpu, "libllama.v0.4.0.dylib"), NativeNaming.MacOS));
    }

    [Fact]
    public void Metal_and_vulkan_devices_count_as_gpu_backends()
    {
        Assert.True(new LlamaDevice(0, "MTL0", "Apple M2", "MTL", LlamaDeviceType.Gpu, 1, 1).IsGpuBackend);
        Assert.True(new LlamaDevice(0, "Vulkan0", "llvmpipe", "Vulkan", LlamaDeviceType.Cpu, 1, 1).IsGpuBackend);
        Assert.False(new LlamaDevice(0, "CPU", "EPYC", "CPU", LlamaDeviceType.Cpu, 1, 1).IsGpuBackend);
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
